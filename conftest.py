"""Fixtures for integration tests against the real services started by `make up`, and an
in-process current ClickHouse (chdb) that speaks clickhouse-driver's `execute` interface.

A missing service fails the test run: integration tests never skip themselves.
Every test gets its own topics, consumer group and ClickHouse database.

ClickHouse has no password-less user: tests log in as `hotline_writer` (which creates the
per-test databases) or, to prove what readers can do, `hotline_reader`. Their passwords come
from `HOTLINE_CLICKHOUSE_{WRITER,READER}_{USER,PASSWORD}` when set, else from the file the local
server's start script generated, `$HOTLINE_STATE_DIR/secrets/clickhouse.env` (default `.state`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from clickhouse_driver import Client

    from hotline_schemas.config import ClickHouseConnection

KAFKA = os.environ.get("HOTLINE_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:9092")
CLICKHOUSE_HOST = os.environ.get("HOTLINE_CLICKHOUSE__HOST", "127.0.0.1")
CLICKHOUSE_PORT = int(os.environ.get("HOTLINE_CLICKHOUSE__PORT", "9000"))
STATE_DIR = Path(os.environ.get("HOTLINE_STATE_DIR") or Path(__file__).parent / ".state").resolve()
CLICKHOUSE_SECRETS = STATE_DIR / "secrets" / "clickhouse.env"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=10_000)
    except KafkaError as exc:
        pytest.fail(f"Kafka is not reachable at {KAFKA} ({exc!r}); run `make up` first")
    admin.close()
    return KAFKA


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A short name unique to this test, usable as a topic, group or database suffix."""
    stem = "".join(c if c.isalnum() else "_" for c in request.node.name)[:40]
    return f"t_{stem}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_topics(kafka_bootstrap: str) -> Iterator[object]:
    """Create uniquely named topics for one test; delete them afterwards."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    created: list[str] = []

    def make(*names: str, partitions: int = 3) -> list[str]:
        admin.create_topics(
            [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in names]
        )
        created.extend(names)
        return list(names)

    yield make
    if created:
        admin.delete_topics(created)
    admin.close()


def _local_secrets() -> dict[str, str]:
    if not CLICKHOUSE_SECRETS.is_file():
        return {}
    lines = CLICKHOUSE_SECRETS.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def clickhouse_login(role: str) -> ClickHouseConnection:
    """The connection of ClickHouse user `role` (writer or reader) on the test server."""
    from hotline_schemas.config import ClickHouseConnection

    names = [f"HOTLINE_CLICKHOUSE_{role.upper()}_{field}" for field in ("USER", "PASSWORD")]
    secrets = _local_secrets()
    user, password = (os.environ.get(name, secrets.get(name)) for name in names)
    if not user or password is None:
        pytest.fail(
            f"no ClickHouse {role} login: set {' and '.join(names)}, or start the local server "
            f"(`make up`), which writes them to {CLICKHOUSE_SECRETS}"
        )
    return ClickHouseConnection(
        host=CLICKHOUSE_HOST, port=CLICKHOUSE_PORT, user=user, password=password
    )


def connect(conn: ClickHouseConnection, **options: Any) -> Client:
    from clickhouse_driver import Client

    return Client(
        host=conn.host,
        port=conn.port,
        user=conn.user,
        password=conn.password.get_secret_value(),
        **options,
    )


@pytest.fixture(scope="session")
def clickhouse_writer() -> ClickHouseConnection:
    """The writer's connection (database `hotline`: replace it with the test's own)."""
    return clickhouse_login("writer")


@pytest.fixture(scope="session")
def clickhouse_reader() -> ClickHouseConnection:
    return clickhouse_login("reader")


@pytest.fixture(scope="session")
def clickhouse_server(clickhouse_writer: ClickHouseConnection) -> tuple[str, int]:
    from clickhouse_driver.errors import Error, NetworkError

    client = connect(clickhouse_writer, connect_timeout=5)
    try:
        client.execute("SELECT 1")
    except (Error, NetworkError, OSError) as exc:
        pytest.fail(
            f"ClickHouse is not reachable at {CLICKHOUSE_HOST}:{CLICKHOUSE_PORT} as "
            f"{clickhouse_writer.user} ({exc!r}); run `make up` first"
        )
    finally:
        client.disconnect()
    return CLICKHOUSE_HOST, CLICKHOUSE_PORT


@pytest.fixture
def clickhouse_client(
    clickhouse_server: tuple[str, int], clickhouse_writer: ClickHouseConnection
) -> Iterator[Client]:
    """A clickhouse-driver client logged in as the writer, closed after the test."""
    client = connect(clickhouse_writer)
    yield client
    client.disconnect()


@pytest.fixture
def clickhouse_env(
    clickhouse_server: tuple[str, int],
    clickhouse_writer: ClickHouseConnection,
    clickhouse_reader: ClickHouseConnection,
) -> Callable[..., dict[str, str]]:
    """clickhouse_env(role="writer", database=None): the HOTLINE_CLICKHOUSE__* variables a
    service process needs to log in as `role`."""

    def env(role: str = "writer", database: str | None = None) -> dict[str, str]:
        conn = {"writer": clickhouse_writer, "reader": clickhouse_reader}[role]
        out = {
            "HOTLINE_CLICKHOUSE__HOST": conn.host,
            "HOTLINE_CLICKHOUSE__PORT": str(conn.port),
            "HOTLINE_CLICKHOUSE__USER": conn.user,
            "HOTLINE_CLICKHOUSE__PASSWORD": conn.password.get_secret_value(),
        }
        if database is not None:
            out["HOTLINE_CLICKHOUSE__DATABASE"] = database
        return out

    return env


@pytest.fixture
def clickhouse_database(clickhouse_client: Client, unique_name: str) -> Iterator[str]:
    """An empty database for one test, dropped afterwards."""
    clickhouse_client.execute(f"CREATE DATABASE {unique_name}")
    yield unique_name
    clickhouse_client.execute(f"DROP DATABASE IF EXISTS {unique_name}")


class ChdbExecutor:
    """`execute(sql)` -> rows, like clickhouse_driver.Client.execute, on chdb."""

    def __init__(self, path: Path) -> None:
        from chdb import session

        self.session = session.Session(str(path))

    def execute(
        self,
        query: str,
        params: list[tuple[Any, ...]] | None = None,
        *,
        settings: dict[str, int] | None = None,
    ) -> list[tuple[Any, ...]]:
        assert not settings, "a current server must get no version-specific settings"
        if params is not None:  # clickhouse-driver's INSERT ... VALUES with a row list
            query += " " + ", ".join("(" + ", ".join(map(sql_literal, r)) + ")" for r in params)
        text = self.session.query(query, "JSONCompact").data()
        if not text.strip():
            return []
        return [tuple(row) for row in json.loads(text)["data"]]

    def version(self) -> tuple[int, ...]:
        (row,) = self.execute("SELECT version()")
        return tuple(int(p) for p in str(row[0]).split("."))


@pytest.fixture
def chdb_executor(tmp_path: Path) -> Iterator[ChdbExecutor]:
    executor = ChdbExecutor(tmp_path / "chdb")
    yield executor
    executor.session.close()


def sql_literal(value: Any) -> str:
    """A ClickHouse literal for the values our rows hold (test inserts on chdb)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return "'" + value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + "'"
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    if isinstance(value, list):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


@pytest.fixture
def literal() -> Callable[[Any], str]:
    return sql_literal


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def webhook_secret() -> str:
    """A fresh Standard Webhooks secret: give it to ingest as HOTLINE_INGEST_WEBHOOK_SECRET."""
    from hotline_simulator.signing import new_secret

    return new_secret()


@pytest.fixture
def webhook_auth(webhook_secret: str) -> Any:
    """httpx auth that signs each request with `webhook_secret`, as the provider does."""
    from hotline_simulator.signing import Signer, WebhookAuth

    return WebhookAuth(Signer(webhook_secret))


@pytest.fixture
def free_port() -> Callable[[], int]:
    """free_port(): a TCP port on 127.0.0.1 that nothing listens on right now."""
    return _free_port


class ServiceProcesses:
    """Services started as in production (`python -m <module>`), each logging to its own file;
    a test fails with the log's tail as soon as one of them has exited."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, env: dict[str, str], module: str | None = None) -> None:
        with (self.logs / f"{name}.log").open("wb") as log:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", module or f"hotline_{name}"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"{name} exited with {proc.returncode}:\n{tail}")

    def wait_http(self, url: str, timeout_s: float = 60) -> None:
        """Until `url` answers 200, failing early if a service died."""
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail(f"{url} never answered 200")

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def service_processes(tmp_path: Path) -> Iterator[ServiceProcesses]:
    """Start services with `.start(name, env)`; all are stopped when the test ends."""
    procs = ServiceProcesses(tmp_path)
    try:
        yield procs
    finally:
        procs.stop()
