"""Agents on shift (migration 0014) on ClickHouse 18.16 and chdb against the one Python
definition (hotline_schemas.agents) over a hand-built evening: breaks with and without a reason,
a pause ended by logging off, a log-in never closed, wrap-up after calls, an agent who answered
without logging in, a call that rang out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_schemas import AgentEventType, CallRecord
from hotline_schemas.agents import AgentStep, CallSpan, figures, next_local_midnight, segments
from hotline_schemas.rules import Rules
from hotline_sink import record_rows
from hotline_sink.schema import prepare

MakeRecord = Callable[..., CallRecord]
DAY = datetime(2013, 4, 8, tzinfo=UTC)  # a Monday, summer time: 18:30 local is 16:30 UTC
FAR = datetime(2030, 1, 1, tzinfo=UTC)
AGENT_COLUMNS = (
    "event_id, agent_id, type, occurred_at, occurred_at_ms, schema_version, queue, reason, "
    "call_id, origin, source"
)


def at(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return DAY.replace(hour=h, minute=m, second=s)


T = AgentEventType
STEPS = [
    AgentStep("a1", T.LOGGED_IN, at("16:20:00")),
    AgentStep("a1", T.WRAP_UP_STARTED, at("16:36:00")),
    AgentStep("a1", T.WRAP_UP_ENDED, at("16:36:40")),
    AgentStep("a1", T.WRAP_UP_STARTED, at("17:10:10")),
    AgentStep("a1", T.WRAP_UP_ENDED, at("17:11:00")),
    AgentStep("a1", T.PAUSED, at("17:30:00"), "break"),
    AgentStep("a1", T.UNPAUSED, at("17:42:30")),
    AgentStep("a1", T.LOGGED_OUT, at("20:05:00")),
    AgentStep("a2", T.LOGGED_IN, at("16:25:00")),
    AgentStep("a2", T.PAUSED, at("18:00:00")),  # no reason given
    AgentStep("a2", T.UNPAUSED, at("18:05:00")),
    AgentStep("a2", T.PAUSED, at("19:00:00"), "meeting"),
    AgentStep("a2", T.LOGGED_OUT, at("19:10:00")),  # ends the pause too
    AgentStep("a2", T.LOGGED_IN, at("19:30:00")),  # never logged out: open until midnight
    AgentStep("a3", T.LOGGED_IN, at("16:28:00")),
    AgentStep("a3", T.RING_NO_ANSWER, at("16:40:15")),
    AgentStep("a3", T.LOGGED_OUT, at("16:50:00")),
]
CALLS = [
    ("c1", "a1", "16:31:00", "16:36:00"),
    ("c2", "a1", "17:00:10", "17:10:10"),
    ("c3", "a4", "17:20:00", "17:25:00"),  # a4 sent no agent events at all
    ("c4", "a2", "19:40:00", "19:52:30"),
]


def _segments() -> list[Any]:
    spans = [CallSpan(agent, at(a), at(e)) for _, agent, a, e in CALLS]
    return segments(STEPS, spans, FAR)


@pytest.fixture
def evening(clickhouse_engine: Any, make_record: MakeRecord) -> Any:
    engine, db = clickhouse_engine, clickhouse_engine.database
    prepare(engine, engine.dialect, db, Rules())
    rows = [
        (f"e{n}", s.agent_id, s.type.value, s.at, 0, 1, "hotline", s.reason, None, "live", None)
        for n, s in enumerate(STEPS)
    ]
    engine.execute(f"INSERT INTO {db}.agent_events ({AGENT_COLUMNS}) VALUES", rows)
    records = [
        make_record(
            call_id,
            agent_id=agent,
            started_at=at(answered) - timedelta(seconds=20),
            offered_at=at(answered) - timedelta(seconds=20),
            queued_at=at(answered) - timedelta(seconds=15),
            answered_at=at(answered),
            ended_at=at(ended),
            wait_seconds=15.0,
            talk_seconds=(at(ended) - at(answered)).total_seconds(),
        )
        for call_id, agent, answered, ended in CALLS
    ]
    engine.execute(
        f"INSERT INTO {db}.call_records ({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )
    return engine


def test_segments_match_python(evening: Any) -> None:
    rows = evening.execute(
        "SELECT agent_id, kind, reason, start_ts, end_ts, is_open "
        f"FROM {evening.database}.agent_segments_v"
    )
    shown = sorted(
        (str(a), str(k), str(r), float(s), float(e), bool(o)) for a, k, r, s, e, o in rows
    )
    expected = sorted(
        (s.agent_id, s.kind.value, s.reason, s.start.timestamp(), s.end.timestamp(), s.open)
        for s in _segments()
    )
    assert shown == expected
    # The log-in never closed runs to the next local midnight (22:00 UTC in summer).
    (open_login,) = [s for s in _segments() if s.open]
    assert open_login.end == next_local_midnight(at("19:30:00")) == at("22:00:00")


@pytest.mark.parametrize("minutes", [15, 30])
def test_intervals_match_python(evening: Any, minutes: int) -> None:
    rows = evening.execute(
        "SELECT toUInt32(interval_start), agents_logged_in, agents_logged_in_mean, "
        "logged_in_seconds, paused_seconds, wrap_up_seconds, on_call_seconds, "
        f"available_seconds, occupancy FROM {evening.database}.agent_intervals_{minutes}m_v"
    )
    segs = _segments()
    length = minutes * 60
    assert rows
    for start_ts, agents, mean, logged, paused, wrap, call, available, occupancy in rows:
        start = datetime.fromtimestamp(int(start_ts), UTC)
        f = figures(segs, start, start + timedelta(seconds=length))
        assert agents == f.agents_logged_in, start
        assert mean == pytest.approx(f.agents_logged_in_mean(length)), start
        assert (logged, paused, wrap, call) == pytest.approx(
            (f.logged_in_seconds, f.paused_seconds, f.wrap_up_seconds, f.on_call_seconds)
        ), start
        assert available == pytest.approx(f.available_seconds), start
        assert occupancy == (pytest.approx(f.occupancy) if f.occupancy is not None else None)
    # Hand-worked: 17:00-17:30 UTC (19:00-19:30 local) a1 and a2 are logged in; a1 talks
    # 17:00:10-17:10:10 and a4, never logged in, 17:20-17:25.
    by_start = {datetime.fromtimestamp(int(r[0]), UTC): r for r in rows}
    if minutes == 30:
        row = by_start[at("17:00:00")]
        assert row[1] == 2
        assert row[6] == pytest.approx(600 + 300)
        assert row[3] == pytest.approx(3600)


def test_evening_agent_hours_and_pauses_by_reason(evening: Any) -> None:
    (row,) = evening.execute(
        "SELECT agents_logged_in, agent_hours, paused_hours, wrap_up_hours, on_call_hours, "
        "available_hours, occupancy, pause_reasons, pause_hours "
        f"FROM {evening.database}.agent_evenings_v WHERE local_date = '2013-04-08'"
    )
    local_start = datetime(2013, 4, 7, 22, 0, tzinfo=UTC)  # midnight in Copenhagen
    f = figures(_segments(), local_start, local_start + timedelta(days=1))
    assert row[0] == f.agents_logged_in == 3
    assert row[1:6] == pytest.approx(
        tuple(x / 3600 for x in (
            f.logged_in_seconds, f.paused_seconds, f.wrap_up_seconds,
            f.on_call_seconds, f.available_seconds,
        ))
    )  # fmt: skip
    assert row[6] == pytest.approx(f.occupancy)
    assert dict(zip(row[7], row[8], strict=True)) == pytest.approx(
        {reason: seconds / 3600 for reason, seconds in f.paused_by_reason}
    )
    assert {r for r, _ in f.paused_by_reason} == {"break", "meeting", "unspecified"}
    # a1 16:20-20:05, a2 16:25-19:10 and 19:30-22:00, a3 16:28-16:50 UTC.
    assert f.logged_in_seconds == 3 * 3600 + 45 * 60 + 2 * 3600 + 45 * 60 + 2.5 * 3600 + 22 * 60


def test_intervals_put_calls_and_agents_side_by_side(evening: Any) -> None:
    rows = evening.execute(
        "SELECT toUInt32(interval_start), offered, answered, agents_logged_in, "
        f"agents_logged_in_mean, occupancy FROM {evening.database}.intervals_30m_v "
        "ORDER BY interval_start"
    )
    by_start = {datetime.fromtimestamp(int(r[0]), UTC): r for r in rows}
    # 16:00-16:30: agents logging in, no call yet; 16:30-17:00: c1 and c2 offered (16:30:40,
    # 16:59:50) and answered.
    assert by_start[at("16:00:00")][1:4] == (0, 0, 3)
    assert by_start[at("16:30:00")][1:3] == (2, 2)
    # 21:30-22:00: a2's open log-in, no calls.
    assert by_start[at("21:30:00")][1:5] == (0, 0, 1, pytest.approx(1.0))
