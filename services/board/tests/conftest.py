"""Board test helpers: current ClickHouse in-process (chdb, from the root conftest) with the
migrations applied, and a hand-computed set of calls written as call_events rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_schemas import kpi
from hotline_sink import migrations
from hotline_sink.dialect import Dialect

DB = "board_test"
EVENT_COLUMNS = (
    "event_id, call_id, type, occurred_at, occurred_at_ms, within_hours, topic, "
    "municipality_code, municipality_name, agent_id, end_reason, queue"
)


@pytest.fixture
def chdb(chdb_executor: Any) -> Any:
    """The root conftest's chdb executor with the migrations applied to the board's database."""
    migrations.apply(chdb_executor, Dialect.for_version(chdb_executor.version()), DB)
    return chdb_executor


def t(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2013, 4, 7, h, m, s, tzinfo=UTC)


def _call(queued: str, **kw: Any) -> kpi.CallTimes:
    q = t(queued)
    fields: dict[str, Any] = {"offered": q - timedelta(seconds=5), "queued": q}
    for key, value in kw.items():
        fields[key] = t(value) if key in {"answered", "abandoned", "ended"} else value
    return kpi.CallTimes(**fields)


@pytest.fixture
def queue_truth_calls(example_calls: list[kpi.CallTimes]) -> list[kpi.CallTimes]:
    """The excerpt plus a menu hang-up, two calls that left the queue (time-out, key), a v2
    caller hang-up in the queue and a closed message played within hours."""
    return [
        *example_calls,
        kpi.CallTimes(offered=t("18:06:00"), abandoned=t("18:06:12"), ended=t("18:06:13")),
        _call("18:07:00", abandoned="18:12:00", end_reason="queue_timeout"),
        _call("18:08:00", ended="18:09:00", end_reason="queue_key"),
        _call("18:09:00", ended="18:09:40", end_reason="caller_hangup"),
        kpi.CallTimes(offered=t("18:11:00"), ended=t("18:11:15"), end_reason="closed"),
        kpi.CallTimes(offered=t("18:14:50")),  # in the menu at 18:15
    ]


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
            reason = c.end_reason if type_ in ("abandoned", "ended") else None
            rows.append(
                (
                    f"{prefix}{n}-{type_}",
                    f"{prefix}{n}",
                    type_,
                    when,
                    0,
                    int(c.within_hours),
                    "nemid_login" if n % 2 else "digital_post",
                    751 if n < 4 else None,
                    "Aarhus" if n < 4 else None,
                    agent,
                    reason,
                    "hotline" if n % 3 else "hotline-en",
                )
            )
    return rows


@pytest.fixture
def insert_calls() -> Callable[..., None]:
    def insert(ex: Any, database: str, calls: list[kpi.CallTimes], prefix: str = "c") -> None:
        # clickhouse-driver sends the rows as data; the chdb executor renders them as literals.
        ex.execute(
            f"INSERT INTO {database}.call_events ({EVENT_COLUMNS}) VALUES",
            event_rows(calls, prefix),
        )

    return insert
