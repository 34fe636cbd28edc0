"""Board test helpers: current ClickHouse in-process (chdb) with the migrations applied, and a
hand-computed set of calls written as call_events rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hotline_schemas import kpi
from hotline_sink import migrations
from hotline_sink.dialect import Dialect

DB = "board_test"
EVENT_COLUMNS = (
    "event_id, call_id, type, occurred_at, occurred_at_ms, within_hours, topic, "
    "municipality_code, municipality_name, agent_id"
)


class Chdb:
    """`execute(sql)` -> rows on chdb, like clickhouse_driver.Client.execute."""

    def __init__(self, path: Path) -> None:
        from chdb import session

        self.session = session.Session(str(path))

    def execute(
        self, query: str, params: Any = None, *, settings: Any = None
    ) -> list[tuple[Any, ...]]:
        assert not settings, "a current server must get no version-specific settings"
        if params is not None:  # the migrations' INSERT ... VALUES with a row list
            query += " " + ", ".join("(" + ", ".join(map(_literal, r)) + ")" for r in params)
        text = self.session.query(query, "JSONCompact").data()
        if not text.strip():
            return []
        return [tuple(row) for row in json.loads(text)["data"]]

    def version(self) -> tuple[int, ...]:
        (row,) = self.execute("SELECT version()")
        return tuple(int(p) for p in str(row[0]).split("."))


@pytest.fixture
def chdb(tmp_path: Path) -> Iterator[Chdb]:
    ex = Chdb(tmp_path / "chdb")
    migrations.apply(ex, Dialect.for_version(ex.version()), DB)
    yield ex
    ex.session.close()


def t(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2013, 3, 31, h, m, s, tzinfo=UTC)


def _call(queued: str, **kw: Any) -> kpi.CallTimes:
    q = t(queued)
    fields: dict[str, Any] = {"offered": q - timedelta(seconds=5), "queued": q}
    for key, value in kw.items():
        fields[key] = t(value) if key in {"answered", "abandoned", "ended"} else value
    return kpi.CallTimes(**fields)


@pytest.fixture
def example_calls() -> list[kpi.CallTimes]:
    """The same excerpt as schemas/tests/test_schemas_kpi.py (window 18:00-18:15 UTC)."""
    return [
        _call("18:01:00", answered="18:01:10", ended="18:05:10", agent_id="a1"),
        _call("18:02:05", answered="18:02:35", ended="18:03:35", agent_id="a2"),
        _call("18:03:00", abandoned="18:03:03"),
        _call("18:04:00", abandoned="18:04:45"),
        _call("18:05:00", abandoned="18:06:00", within_hours=False),
        _call("18:10:00", answered="18:10:20", agent_id="a3"),
        _call("18:14:00"),
    ]


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return "'" + value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + "'"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def event_rows(calls: list[kpi.CallTimes], prefix: str = "c") -> list[tuple[Any, ...]]:
    """call_events rows (EVENT_COLUMNS) for the calls, Aarhus callers, topic by call number."""
    rows = []
    for n, c in enumerate(calls):
        steps = [
            ("offered", c.offered, None),
            ("queued", c.queued, None),
            ("answered", c.answered, c.agent_id),
            ("abandoned", c.abandoned, None),
            ("ended", c.ended, c.agent_id),
        ]
        for type_, when, agent in steps:
            if when is None:
                continue
            rows.append(
                (
                    f"{prefix}{n}-{type_}",
                    f"{prefix}{n}",
                    type_,
                    when,
                    0,
                    int(c.within_hours),
                    "mitid_login" if n % 2 else "digital_post",
                    751 if n < 4 else None,
                    "Aarhus" if n < 4 else None,
                    agent,
                )
            )
    return rows


def insert_sql(database: str, rows: list[tuple[Any, ...]]) -> str:
    values = ", ".join("(" + ", ".join(_literal(v) for v in r) + ")" for r in rows)
    return f"INSERT INTO {database}.call_events ({EVENT_COLUMNS}) VALUES {values}"


@pytest.fixture
def insert_calls() -> Callable[[Any, str, list[kpi.CallTimes]], None]:
    def insert(ex: Any, database: str, calls: list[kpi.CallTimes]) -> None:
        if isinstance(ex, Chdb):
            ex.execute(insert_sql(database, event_rows(calls)))
        else:  # clickhouse_driver.Client: rows travel as data, not as SQL text
            ex.execute(
                f"INSERT INTO {database}.call_events ({EVENT_COLUMNS}) VALUES", event_rows(calls)
            )

    return insert
