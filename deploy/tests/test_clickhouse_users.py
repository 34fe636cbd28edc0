"""Who may do what on the local ClickHouse server (deploy/clickhouse/users.xml, 18.16): the
writer writes, the reader only reads, and nobody gets in without a password.

The reader's limits are tried for real: every write, DDL and setting change it might attempt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clickhouse_driver import Client
from clickhouse_driver.errors import ServerException

from hotline_schemas.config import ClickHouseConnection
from hotline_sink import migrations
from hotline_sink.dialect import Dialect, parse_version

pytestmark = pytest.mark.integration

READONLY = 164  # "Cannot ... in readonly mode"
UNKNOWN_USER = 192  # 18.16; current releases answer AUTHENTICATION_FAILED
WRONG_PASSWORD = 193
AUTHENTICATION_FAILED = 516
REFUSED_LOGIN = {UNKNOWN_USER, WRONG_PASSWORD, AUTHENTICATION_FAILED}


def _login(conn: ClickHouseConnection, **changes: Any) -> Client:
    options = {
        "host": conn.host,
        "port": conn.port,
        "user": conn.user,
        "password": conn.password.get_secret_value(),
        "connect_timeout": 5,
        **changes,
    }
    return Client(**options)


def _code(client: Client, query: str, **kwargs: Any) -> int:
    with pytest.raises(ServerException) as caught:
        client.execute(query, **kwargs)
    return int(caught.value.code)


@pytest.fixture
def migrated(clickhouse_client: Client, clickhouse_database: str) -> str:
    ((version,),) = clickhouse_client.execute("SELECT version()")
    dialect = Dialect.for_version(parse_version(str(version)))

    class Executor:
        def execute(self, query: str, params: Any = None, *, settings: Any = None) -> Any:
            return clickhouse_client.execute(query, params, settings=settings)

    migrations.apply(Executor(), dialect, clickhouse_database)
    clickhouse_client.execute(
        f"INSERT INTO {clickhouse_database}.call_events (event_id, call_id, type, occurred_at, "
        "line, caller_key, topic, topic_source, enriched_at) VALUES",
        [("e1", "c1", "offered", 1364754600, "+4570200000", "k" * 64, "login", "none", 0)],
        settings=dialect.session_settings(),
    )
    return clickhouse_database


@pytest.fixture
def reader(
    clickhouse_server: tuple[str, int], clickhouse_reader: ClickHouseConnection
) -> Iterator[Client]:
    client = _login(clickhouse_reader)
    yield client
    client.disconnect()


@pytest.mark.parametrize("password", ["", "guess"])
def test_default_user_cannot_log_in(clickhouse_server: tuple[str, int], password: str) -> None:
    host, port = clickhouse_server
    client = Client(host=host, port=port, password=password, connect_timeout=5)
    try:
        assert _code(client, "SELECT 1") in REFUSED_LOGIN
    finally:
        client.disconnect()


def test_a_wrong_password_is_refused(clickhouse_reader: ClickHouseConnection) -> None:
    client = _login(clickhouse_reader, password="not-the-password")
    try:
        assert _code(client, "SELECT 1") in REFUSED_LOGIN
    finally:
        client.disconnect()


def test_reader_reads_tables_and_views(reader: Client, migrated: str) -> None:
    assert reader.execute(f"SELECT event_id, caller_key FROM {migrated}.call_events FINAL") == [
        ("e1", "k" * 64)
    ]
    assert reader.execute(f"SELECT count() FROM {migrated}.call_intervals_30m_v") == [(0,)]
    assert reader.execute(f"SELECT topic, count() FROM {migrated}.call_events GROUP BY topic") == [
        ("login", 1)
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO {db}.call_events (event_id) VALUES",
        "ALTER TABLE {db}.call_events DELETE WHERE 1",
        "ALTER TABLE {db}.call_events DROP PARTITION 201303",
        "DROP TABLE {db}.call_events",
        "TRUNCATE TABLE {db}.call_events",
        "CREATE TABLE {db}.sneaky (a UInt8) ENGINE = Memory",
        "CREATE DATABASE {db}_sneaky",
        "DROP DATABASE {db}",
        "RENAME TABLE {db}.call_events TO {db}.gone",
        "OPTIMIZE TABLE {db}.call_events FINAL",
        "SET max_execution_time = 0",
    ],
)
def test_reader_cannot_write_or_change_anything(
    reader: Client, clickhouse_client: Client, migrated: str, statement: str
) -> None:
    query = statement.format(db=migrated)
    if query.startswith("INSERT"):
        code = _code(reader, query, params=[("e2",)])
    else:
        code = _code(reader, query)
    assert code == READONLY
    assert clickhouse_client.execute(f"SELECT count() FROM {migrated}.call_events") == [(1,)]


@pytest.mark.parametrize(
    "source",
    [
        "numbers(10)",
        "file('users.xml', 'TSV', 'line String')",
        "url('http://127.0.0.1:1/', 'TSV', 'a String')",
    ],
)
def test_reader_cannot_use_table_functions(reader: Client, source: str) -> None:
    assert _code(reader, f"SELECT count() FROM {source}") == READONLY


def test_reader_time_limit_cannot_be_raised(
    clickhouse_reader: ClickHouseConnection, clickhouse_server: tuple[str, int]
) -> None:
    # The board and the report send their own max_execution_time; 18.16 ignores settings a
    # readonly=1 user sends, so the profile's limit holds whatever a client asks for.
    client = _login(clickhouse_reader, settings={"max_execution_time": 100_000, "readonly": 0})
    try:
        rows = dict(
            client.execute(
                "SELECT name, value FROM system.settings "
                "WHERE name IN ('max_execution_time', 'readonly')"
            )
        )
    finally:
        client.disconnect()
    assert rows == {"max_execution_time": "600", "readonly": "1"}


def test_writer_creates_databases_and_writes(clickhouse_client: Client, migrated: str) -> None:
    clickhouse_client.execute(f"ALTER TABLE {migrated}.call_events DELETE WHERE event_id = 'e1'")
    clickhouse_client.execute(f"DROP TABLE {migrated}.call_intervals_15m_v")


def test_the_rendered_users_file_holds_no_password() -> None:
    state = Path(os.environ.get("HOTLINE_STATE_DIR") or Path(__file__).parents[2] / ".state")
    users = (state / "clickhouse" / "users.xml").read_text(encoding="utf-8")
    secrets = (state / "secrets" / "clickhouse.env").read_text(encoding="utf-8")
    passwords = [line.split("=", 1)[1] for line in secrets.splitlines() if "_PASSWORD=" in line]
    assert len(passwords) == 2
    for password in passwords:
        assert password not in users
    user_section = users.split("<users>", 1)[1].split("</users>", 1)[0]
    assert "<default>" not in user_section, "no default user"
    mode = (state / "secrets" / "clickhouse.env").stat().st_mode & 0o777
    assert mode == 0o600, oct(mode)
