"""Load the history's TSV files into a fresh database: on the ClickHouse 18.16 server (the
writer, through HTTP, so the server parses the files itself) and in chdb (current ClickHouse,
in process, `INSERT ... FROM INFILE`). Both get the schema from the migrations and the
dimensions exactly as `hotline migrate` does (`hotline_sink.schema.prepare`).
"""

# ruff: noqa: S608 - only identifier()-checked names are spliced into the SQL here.

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from clickhouse_driver import Client

from benchmarks import history_data
from benchmarks.settings import Settings
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.rules import Rules
from hotline_sink.clickhouse import connect, server_version
from hotline_sink.dialect import Dialect
from hotline_sink.schema import prepare
from hotline_sink.templates import identifier

Rows = list[tuple[Any, ...]]


def sql_literal(value: Any) -> str:
    """A ClickHouse literal for the values the dimension rows hold (chdb has no parameters)."""
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
    if isinstance(value, list | tuple):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


class ChdbEngine:
    """chdb behind clickhouse-driver's `execute(sql, params)`: what migrations, the board's
    snapshot and the report's reads call."""

    def __init__(self, path: Path) -> None:
        from chdb import session

        # chdb ships no type hints: the session is typed as Any on purpose.
        make: Any = session.Session
        self.session: Any = make(str(path))

    def execute(
        self, query: str, params: Any = None, *, settings: dict[str, int] | None = None
    ) -> Rows:
        if settings:
            raise ValueError("current ClickHouse takes no version-specific settings")
        if params is not None:  # INSERT ... VALUES with a row list, as clickhouse-driver does
            query += " " + ", ".join("(" + ", ".join(map(sql_literal, r)) + ")" for r in params)
        text = self.session.query(query, "JSONCompact").data()
        if not text.strip():
            return []
        return [tuple(row) for row in json.loads(text)["data"]]

    def close(self) -> None:
        self.session.close()


@dataclass
class Loaded:
    """What a load took, and what the tables hold afterwards (active parts)."""

    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)
    compressed_bytes: dict[str, int] = field(default_factory=dict)
    uncompressed_bytes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        per_row = {
            table: {
                "compressed": self.compressed_bytes[table] / n,
                "uncompressed": self.uncompressed_bytes[table] / n,
            }
            for table, n in self.rows.items()
            if n
        }
        return {
            "seconds": self.seconds,
            "rows": self.rows,
            "parts": self.parts,
            "compressed_bytes": self.compressed_bytes,
            "uncompressed_bytes": self.uncompressed_bytes,
            "bytes_per_row": per_row,
        }


def storage(ex: Any, database: str) -> Loaded:
    """Rows, active parts and bytes per table from system.parts (both versions have these)."""
    db = identifier(database)
    found = Loaded()
    for table, rows, parts, packed, unpacked in ex.execute(
        "SELECT table, sum(rows), count(), sum(data_compressed_bytes), "
        f"sum(data_uncompressed_bytes) FROM system.parts WHERE database = '{db}' AND active "
        "GROUP BY table ORDER BY table"
    ):
        if table in history_data.TABLES:
            found.rows[table] = int(rows)
            found.parts[table] = int(parts)
            found.compressed_bytes[table] = int(packed)
            found.uncompressed_bytes[table] = int(unpacked)
    return found


def _insert(database: str, table: str) -> str:
    columns = ", ".join(history_data.COLUMNS[table])
    return f"INSERT INTO {identifier(database)}.{identifier(table)} ({columns})"


class Server:
    """A fresh database on the 18.16 server: schema, TSV load over HTTP, drop."""

    def __init__(self, settings: Settings, database: str) -> None:
        self.settings, self.database = settings, identifier(database)
        self.conn = settings.clickhouse.model_copy(update={"database": database})
        self.client: Client = connect(self.conn, send_receive_timeout=600)
        self.dialect = Dialect.for_version(server_version(self.client))

    def prepare(self, rules: Rules) -> None:
        prepare(self.client, self.dialect, self.database, rules)

    def load(self, out_dir: Path) -> Loaded:
        url = f"http://{self.conn.host}:{self.settings.clickhouse_http_port}/"
        headers = {
            "X-ClickHouse-User": self.conn.user,
            "X-ClickHouse-Key": self.conn.password.get_secret_value(),
        }
        params = {k: str(v) for k, v in self.dialect.session_settings().items()}
        start = time.perf_counter()
        with httpx.Client(timeout=600.0, headers=headers) as http:
            for table in history_data.TABLES:
                for path in history_data.files(out_dir, table):
                    query = {**params, "query": f"{_insert(self.database, table)} FORMAT TSV"}
                    with path.open("rb") as body:
                        answer = http.post(url, params=query, content=body)
                    if answer.status_code != 200:
                        raise RuntimeError(f"loading {path.name}: {answer.text[:500]}")
        loaded = storage(self.client, self.database)
        loaded.seconds = time.perf_counter() - start
        return loaded

    def wait_for_merges(self, timeout_s: float = 300.0) -> float:
        """Seconds until no merge runs in the database (bounded): parts as production has
        them some minutes after the inserts."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout_s:
            ((running,),) = self.client.execute(
                f"SELECT count() FROM system.merges WHERE database = '{self.database}'"
            )
            if not int(running):
                break
            time.sleep(1.0)
        return time.perf_counter() - start

    def drop(self) -> None:
        try:
            self.client.execute(f"DROP DATABASE IF EXISTS {self.database}")
        finally:
            self.client.disconnect()


class Chdb:
    """The same database in chdb (a session in a temporary directory)."""

    def __init__(self, path: Path, database: str) -> None:
        self.database = identifier(database)
        self.engine = ChdbEngine(path)
        ((version,),) = self.engine.execute("SELECT version()")
        self.dialect = Dialect.for_version(tuple(int(p) for p in str(version).split(".")))

    def prepare(self, rules: Rules) -> None:
        prepare(self.engine, self.dialect, self.database, rules)

    def load(self, out_dir: Path) -> Loaded:
        start = time.perf_counter()
        for table in history_data.TABLES:
            for path in history_data.files(out_dir, table):
                self.engine.execute(
                    f"{_insert(self.database, table)} FROM INFILE '{path}' FORMAT TSV"
                )
        loaded = storage(self.engine, self.database)
        loaded.seconds = time.perf_counter() - start
        return loaded

    def close(self) -> None:
        self.engine.close()


def reader_connection(conn: ClickHouseConnection, database: str) -> ClickHouseConnection:
    return conn.model_copy(update={"database": identifier(database)})
