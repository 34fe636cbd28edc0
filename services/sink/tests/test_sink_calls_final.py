"""Migration 0020: `calls_local_v` deduplicates with FINAL and `calls_by_month_v` keeps 0012's
GROUP BY; both give every column of every call identically, the highest version of a re-emitted
call included (NULLs too), on ClickHouse 18.16 and on chdb."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hotline_schemas import CallRecord
from hotline_schemas.rules import Rules
from hotline_sink import record_rows
from hotline_sink.schema import prepare

MakeRecord = Callable[..., CallRecord]
COLUMNS = (
    "call_id, first_seen_month, first_seen_at, started_at, interval_start, local_date, "
    "local_slot_minute, outcome, queue_outcome, answered_within, within_hours, topic, "
    "wait_seconds, menu_seconds, talk_seconds, end_reason, queue, agent_id, answered_at, "
    "ended_at, municipality_code, municipality_name, origin, data_origin, caller_key"
)


def _insert(engine: Any, records: list[CallRecord]) -> None:
    engine.execute(
        f"INSERT INTO {engine.database}.call_records ({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )


def _rows(engine: Any, view: str) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(r)
        for r in engine.execute(f"SELECT {COLUMNS} FROM {engine.database}.{view} ORDER BY call_id")
    )


def test_final_and_group_by_forms_agree(clickhouse_engine: Any, make_record: MakeRecord) -> None:
    engine = clickhouse_engine
    prepare(engine, engine.dialect, engine.database, Rules())
    first = make_record("late-answer", version=3, outcome="no_agent", answered_at=None,
                        agent_id=None, talk_seconds=None, closed_by_timeout=True)  # fmt: skip
    start = first.started_at
    seen = {"first_seen_at": start}
    _insert(
        engine,
        [
            first.model_copy(update=seen),
            make_record("other-month", started_at=start + timedelta(days=40)),
            make_record("no-place", municipality_code=None, municipality_name=None),
        ],
    )
    # The call's ended event came late: a second insert, a higher version in the same month.
    _insert(engine, [make_record("late-answer", version=5, **seen)])
    by_final, by_month = _rows(engine, "calls_local_v"), _rows(engine, "calls_by_month_v")
    assert by_final == by_month
    assert len(by_final) == 3
    late = next(r for r in by_final if r[0] == "late-answer")
    assert (late[7], late[17]) == ("answered", "agent-07")  # version 5 wins, not version 3
    months = {r[0]: r[1] for r in by_final}
    assert months["other-month"] != months["no-place"]
    # The views above calls_local_v read it by name: they see the FINAL form.
    ((offered,),) = engine.execute(
        f"SELECT sum(offered) FROM {engine.database}.call_intervals_30m_v"
    )
    assert int(offered) == 3
