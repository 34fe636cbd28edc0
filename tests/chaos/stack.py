"""The fault suite's private Kafka and ClickHouse, started with the project's own scripts.

Everything lives in a temporary state folder and on ports chosen free at start, so the suite
can kill -9 its broker and stop its ClickHouse without touching the shared services (or
another engineer's run). `close()` stops both and deletes the folder, also after a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"
HOTLINE = Path(sys.executable).with_name("hotline")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env() -> dict[str, str]:
    """The caller's environment without any HOTLINE_* setting: a variable exported for the
    shared services (a bootstrap server, a ClickHouse login) must never leak into the
    private stack and point a service at the shared one."""
    return {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}


def read_env_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@dataclass(frozen=True)
class Login:
    user: str
    password: str


class PrivateStack:
    """Kafka (KRaft) and ClickHouse for one run of the suite; topics created, migrations run."""

    def __init__(self) -> None:
        self.state = Path(tempfile.mkdtemp(prefix="hotline-chaos-"))
        self.kafka_port = free_port()
        self.controller_port = free_port()
        self.clickhouse_tcp = free_port()
        self.clickhouse_http = free_port()
        self.clickhouse_interserver = free_port()
        self.bootstrap = f"127.0.0.1:{self.kafka_port}"
        self.logins: dict[str, Login] = {}
        self.dead_letter_keys = ""
        self.log = self.state / "stack.log"

    # --- the project's scripts, pointed at the private state folder and ports ---

    def _script_env(self) -> dict[str, str]:
        return {
            **base_env(),
            "HOTLINE_STATE_DIR": str(self.state),
            "HOTLINE_KAFKA_PORT": str(self.kafka_port),
            "HOTLINE_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "HOTLINE_CLICKHOUSE_TCP_PORT": str(self.clickhouse_tcp),
            "HOTLINE_CLICKHOUSE_HTTP_PORT": str(self.clickhouse_http),
            "HOTLINE_CLICKHOUSE_INTERSERVER_PORT": str(self.clickhouse_interserver),
            # kill -9 leaves Kafka a log to recover on the next start: give it time.
            "HOTLINE_KAFKA_START_TIMEOUT": "180",
        }

    def script(self, name: str, action: str, timeout: float = 240) -> None:
        with self.log.open("ab") as out:
            done = subprocess.run(
                [str(LOCAL / f"{name}.sh"), action],
                env=self._script_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if done.returncode != 0:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name}.sh {action} exited with {done.returncode}:\n{tail}")

    def hotline(self, *args: str, role: str | None = None, timeout: float = 120) -> str:
        """Run a `hotline` command against the private stack (as ClickHouse `role`)."""
        env = {**base_env(), **self.kafka_env()}
        if role is not None:
            env.update(self.clickhouse_env(role))
        done = subprocess.run(
            [str(HOTLINE), *args], env=env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"hotline {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    # --- lifecycle ---

    def start(self) -> None:
        self.script("kafka", "start")
        self.script("clickhouse", "start")
        secrets = self.state / "secrets"
        found = read_env_file(secrets / "clickhouse.env")
        for role in ("writer", "reader"):
            self.logins[role] = Login(
                found[f"HOTLINE_CLICKHOUSE_{role.upper()}_USER"],
                found[f"HOTLINE_CLICKHOUSE_{role.upper()}_PASSWORD"],
            )
        self.dead_letter_keys = read_env_file(secrets / "dead-letter.env")[
            "HOTLINE_DEAD_LETTER_KEYS"
        ]
        self.hotline("topics", "create")
        self.hotline("migrate", role="writer")

    def close(self) -> None:
        """Stop both servers and delete the state folder; every step is tried."""
        problems: list[str] = []
        for name in ("clickhouse", "kafka"):
            try:
                self.script(name, "stop", timeout=90)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                problems.append(str(exc)[-500:])
        shutil.rmtree(self.state, ignore_errors=True)
        if problems:
            raise RuntimeError("private stack did not stop cleanly: " + "; ".join(problems))

    # --- faults on the servers ---

    def kafka_pid(self) -> int:
        return int((self.state / "kafka" / "kafka.pid").read_text().strip())

    def kill_kafka(self) -> None:
        """kill -9 the private broker: no shutdown, no flush, no leaving the group cleanly."""
        pid = self.kafka_pid()
        _check_cmdline(pid, f"kafka.Kafka {self.state}")
        os.kill(pid, 9)
        _wait_gone(pid)

    def start_kafka(self) -> None:
        self.script("kafka", "start")

    def stop_clickhouse(self) -> None:
        self.script("clickhouse", "stop", timeout=90)

    def start_clickhouse(self) -> None:
        self.script("clickhouse", "start")

    # --- what the services and the checks need ---

    def kafka_env(self) -> dict[str, str]:
        return {"HOTLINE_KAFKA__BOOTSTRAP_SERVERS": self.bootstrap}

    def clickhouse_env(self, role: str) -> dict[str, str]:
        login = self.logins[role]
        return {
            "HOTLINE_CLICKHOUSE__HOST": "127.0.0.1",
            "HOTLINE_CLICKHOUSE__PORT": str(self.clickhouse_tcp),
            "HOTLINE_CLICKHOUSE__USER": login.user,
            "HOTLINE_CLICKHOUSE__PASSWORD": login.password,
        }

    def clickhouse(self, role: str = "reader") -> Any:
        from clickhouse_driver import Client

        login = self.logins[role]
        return Client(
            host="127.0.0.1",
            port=self.clickhouse_tcp,
            user=login.user,
            password=login.password,
            connect_timeout=5,
            send_receive_timeout=120,
        )


def _check_cmdline(pid: int, expected: str) -> None:
    """Refuse to signal a pid that is not ours (a stale pid file whose pid was reused)."""
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if expected not in cmdline:
        raise RuntimeError(f"pid {pid} is not the private process ({expected!r})")


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A killed child of the script's shell is reaped by init; until then it is a zombie.
        status = Path(f"/proc/{pid}/status")
        if status.exists() and "State:\tZ" in status.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"pid {pid} still alive {timeout} s after kill -9")
