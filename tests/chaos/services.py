"""ingest, enrich and sink as `make run` runs them: each under deploy/local/supervise.sh, which
starts the service again whenever it exits (as Kubernetes restarts a crashed container).

A Service knows its supervisor's pid and finds the service process among its children, so a
fault kills exactly that process (never anything found by name: other engineers run the same
commands on this machine).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from chaos.stack import HOTLINE, LOCAL, PrivateStack, base_env, free_port

PSEUDONYM_SECRET = "chaos-suite-pseudonym-secret-0123456789"
RESTART = re.compile(r"supervise: (\S+) exited with status (\d+); restart (\d+)")


@dataclass
class Service:
    """One supervised service instance (e.g. `enrich` or a second one, `enrich-2`)."""

    name: str
    command: str  # the `hotline` subcommand
    env: dict[str, str]
    ready_url: str
    log: Path
    supervisor: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.supervisor = subprocess.Popen(
                [str(LOCAL / "supervise.sh"), self.name, str(HOTLINE), self.command],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C in the terminal reaches pytest, whose teardown
                # stops the services in order, not every process at once.
                start_new_session=True,
            )

    def pid(self) -> int | None:
        """The service process (the supervisor's `hotline` child), if one runs now."""
        if self.supervisor is None:
            return None
        sup = self.supervisor.pid
        try:
            children = Path(f"/proc/{sup}/task/{sup}/children").read_text().split()
        except FileNotFoundError:
            return None
        for child in children:
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            if any(part.endswith(b"/hotline") for part in cmdline) and self.command.encode() in (
                cmdline
            ):
                return int(child)
        return None

    def kill9(self, timeout: float = 30) -> int:
        """kill -9 the service process (not its supervisor); its pid."""
        deadline = time.monotonic() + timeout
        while (pid := self.pid()) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no running service process to kill")
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)
        return pid

    def restarts(self) -> int:
        """Restarts the supervisor has logged so far."""
        if not self.log.exists():
            return 0
        return sum(
            1 for m in RESTART.finditer(self.log.read_text(errors="replace")) if m[1] == self.name
        )

    def mentions(self, text: str) -> int:
        """Lines of its log containing `text` so far (e.g. how often it rewound)."""
        if not self.log.exists():
            return 0
        return sum(text in line for line in self.log.read_text(errors="replace").splitlines())

    def ready(self) -> bool | None:
        """True: /readyz said 200; False: it answered something else; None: no answer."""
        try:
            return httpx.get(self.ready_url, timeout=2, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return None

    def wait_ready(self, timeout: float) -> float:
        """Seconds until /readyz answered 200; raises after `timeout`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.supervisor is not None and self.supervisor.poll() is not None:
                raise RuntimeError(f"{self.name}: the supervisor itself exited: {self.tail()}")
            if self.ready():
                return time.monotonic() - started
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s: {self.tail()}")

    def stop(self, timeout: float = 45) -> bool:
        """SIGTERM the supervisor (it stops the service first); SIGKILL both if that hangs.
        True if the service stopped on SIGTERM within `timeout`."""
        sup = self.supervisor
        if sup is None or sup.poll() is not None:
            return True
        child = self.pid()
        sup.terminate()
        graceful = True
        try:
            sup.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            graceful = False
            if child is not None:
                _kill_quietly(child)
            sup.kill()
            sup.wait(timeout=10)
        if child is not None:
            _kill_quietly(child)  # only if it outlived its supervisor
        return graceful

    def tail(self, chars: int = 2500) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class Services:
    """The pipeline on the private stack: ingest, enrich, sink, plus extra workers on demand."""

    def __init__(self, stack: PrivateStack, webhook_secret: str) -> None:
        self.stack = stack
        self.webhook_secret = webhook_secret
        self.logs = stack.state / "pipeline"
        self.logs.mkdir(exist_ok=True)
        self.all: dict[str, Service] = {}
        self.ingest_url = ""

    def _common(self) -> dict[str, str]:
        return {
            **base_env(),
            **self.stack.kafka_env(),
            "HOTLINE_DEAD_LETTER_KEYS": self.stack.dead_letter_keys,
        }

    def make(self, command: str, name: str | None = None) -> Service:
        name = name or command
        env = self._common()
        port = free_port()
        if command == "ingest":
            env |= {
                "HOTLINE_INGEST_PORT": str(port),
                "HOTLINE_INGEST_WEBHOOK_SECRET": self.webhook_secret,
            }
            self.ingest_url = f"http://127.0.0.1:{port}"
        elif command == "enrich":
            state = self.stack.state / "enrich" / name
            state.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
            env |= {
                "HOTLINE_PSEUDONYM_SECRET": PSEUDONYM_SECRET,
                "HOTLINE_ENRICH_WEB_PORT": str(port),
                "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
                "HOTLINE_ENRICH_STATE_DIR": str(state),
            }
        elif command == "sink":
            env |= self.stack.clickhouse_env("writer")
            env["HOTLINE_SINK_METRICS_PORT"] = str(port)
        else:
            raise ValueError(command)
        service = Service(
            name, command, env, f"http://127.0.0.1:{port}/readyz", self.logs / f"{name}.log"
        )
        self.all[name] = service
        return service

    def start_pipeline(self, timeout: float = 180) -> None:
        # Downstream first, as pipeline.sh does: nothing produced waits for a missing consumer.
        for command in ("sink", "enrich", "ingest"):
            self.make(command).start()
        for name in ("sink", "enrich", "ingest"):
            self.all[name].wait_ready(timeout)

    def __getitem__(self, name: str) -> Service:
        return self.all[name]

    def stop_all(self) -> None:
        # Upstream first: stop accepting before the consumers drain and commit.
        for service in reversed(list(self.all.values())):
            service.stop()


@dataclass(frozen=True)
class Pipeline:
    """What a fault works on: the private servers, the services, ingest's webhook secret."""

    stack: PrivateStack
    services: Services
    secret: str
