"""An evening whose true figures are known, through enrich's functions into ClickHouse 18.16
and chdb, read back by the board (JSON), the interval views and the load report; and one
business rule changed: records, views, board and report all follow.

Wednesday 27 March 2013 (winter time: 18:30 local is 17:30 UTC), the last evening before
Easter. The calls (UTC; local is one hour later):

| call | caller | offered | queued | then | truth |
| --- | --- | --- | --- | --- | --- |
| c01 | P1 | 17:31:00 | 17:31:20 | answered 17:31:30 by A1, ended 17:36:30 | answered, wait 10 s |
| c02 | P2 | 17:33:00 | 17:33:15 | answered 17:34:00 by A2, ended 17:40:00 | answered, wait 45 s |
| c03 | withheld | 17:40:00 | - | hung up 17:40:08 | menu hang-up |
| c04 | P3 | 17:45:00 | 17:45:20 | hung up 17:45:23 | short abandon (3 s) |
| c05 | P1 | 17:50:00 | 17:50:15 | hung up 17:51:15 | abandoned (60 s), P1's repeat |
| c06 | P4 | 17:55:00 | 17:55:20 | queue time-out 18:00:20 (v2) | left the queue (300 s) |
| c07 | P2 | 18:05:00 | 18:05:10 | answered 18:05:25 by A2, ended 18:15:25 | answered, 15 s |
| c08 | P5 | 18:20:00 | 18:20:10 | answered 18:20:30 by A3, ended 18:30:30 | answered, 20 s |
| c09 | P6 | 18:50:30 | 18:50:40 | nothing more: lost events | waiting at 19:05, then no_agent |
| c10 | P7 | 16:00:00 | - | closed message, ended 16:00:20 | closed (17:00 local) |

P1 and P2 call twice (c05, c07 are repeat calls).

Agents: A1 logs in 17:20, wraps up 17:36:30-17:37:00, takes a break 18:10-18:25, logs off
20:05; A2 logs in 17:25, wraps up 17:40:00-17:41:00, logs off 18:40; A3 logs in 17:45, pauses
(no reason given) at 19:00 and logs off at 19:30 while still paused.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import pytest
from prometheus_client import CollectorRegistry

from hotline_board.app import create_app
from hotline_board.settings import Settings as BoardSettings
from hotline_enrich.call_records import RecordConfig, observe, sweep
from hotline_enrich.call_state import CallState
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_report.analysis import ReportOptions, analyse
from hotline_report.queries import load
from hotline_schemas import CallEvent, CallEventV2, CallRecord, EnrichedEvent
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.reference_data import PostcodeTable
from hotline_schemas.rules import Rules
from hotline_sink import record_rows, rows
from hotline_sink.reference import load_rules
from hotline_sink.schema import prepare

DAY = datetime(2013, 3, 27, tzinfo=UTC)
AT = datetime(2013, 3, 27, 19, 5, tzinfo=UTC)  # 20:05 local: open, c09 waiting, A3 paused
NOW = datetime(2013, 3, 28, tzinfo=UTC)
SECRET = b"known-evening-secret"


def t(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return DAY.replace(hour=h, minute=m, second=s)


PHONES = {f"P{n}": f"+458600000{n}" for n in range(1, 8)}
# (call, caller, [(type, hms, extra)])
CALLS: list[tuple[str, str | None, list[tuple[str, str, dict[str, Any]]]]] = [
    ("c01", "P1", [("offered", "17:31:00", {}), ("queued", "17:31:20", {}),
                   ("answered", "17:31:30", {"agent_id": "A1"}), ("ended", "17:36:30", {})]),
    ("c02", "P2", [("offered", "17:33:00", {}), ("queued", "17:33:15", {}),
                   ("answered", "17:34:00", {"agent_id": "A2"}), ("ended", "17:40:00", {})]),
    ("c03", None, [("offered", "17:40:00", {}), ("abandoned", "17:40:08", {}),
                   ("ended", "17:40:09", {})]),
    ("c04", "P3", [("offered", "17:45:00", {}), ("queued", "17:45:20", {}),
                   ("abandoned", "17:45:23", {}), ("ended", "17:45:24", {})]),
    ("c05", "P1", [("offered", "17:50:00", {}), ("queued", "17:50:15", {}),
                   ("abandoned", "17:51:15", {}), ("ended", "17:51:16", {})]),
    ("c06", "P4", [("offered", "17:55:00", {}), ("queued", "17:55:20", {}),
                   ("abandoned", "18:00:20", {"end_reason": "queue_timeout"}),
                   ("ended", "18:00:21", {"end_reason": "queue_timeout"})]),
    ("c07", "P2", [("offered", "18:05:00", {}), ("queued", "18:05:10", {}),
                   ("answered", "18:05:25", {"agent_id": "A2"}), ("ended", "18:15:25", {})]),
    ("c08", "P5", [("offered", "18:20:00", {}), ("queued", "18:20:10", {}),
                   ("answered", "18:20:30", {"agent_id": "A3"}), ("ended", "18:30:30", {})]),
    ("c09", "P6", [("offered", "18:50:30", {}), ("queued", "18:50:40", {})]),
    ("c10", "P7", [("offered", "16:00:00", {}), ("ended", "16:00:20", {})]),
]  # fmt: skip
AGENTS = [
    ("A1", "logged_in", "17:20:00", None),
    ("A1", "wrap_up_started", "17:36:30", None),
    ("A1", "wrap_up_ended", "17:37:00", None),
    ("A1", "paused", "18:10:00", "break"),
    ("A1", "unpaused", "18:25:00", None),
    ("A1", "logged_out", "20:05:00", None),
    ("A2", "logged_in", "17:25:00", None),
    ("A2", "wrap_up_started", "17:40:00", None),
    ("A2", "wrap_up_ended", "17:41:00", None),
    ("A2", "logged_out", "18:40:00", None),
    ("A3", "logged_in", "17:45:00", None),
    ("A3", "paused", "19:00:00", None),
    ("A3", "logged_out", "19:30:00", None),
]


def _raw() -> list[CallEvent | CallEventV2]:
    out: list[CallEvent | CallEventV2] = []
    for call_id, caller, steps in CALLS:
        for n, (kind, hms, extra) in enumerate(steps):
            fields: dict[str, Any] = {
                "event_id": f"{call_id}-{n}",
                "call_id": call_id,
                "type": kind,
                "occurred_at": t(hms),
                "line": "+4570200000",
                "caller_number": PHONES.get(caller or ""),
                "caller_postcode": "8000",
                "ivr_choice": "2",
                "queue": "hotline",
                **extra,
            }
            if "end_reason" in extra:
                out.append(CallEventV2(schema_version=2, **fields))
            else:
                out.append(CallEvent(schema_version=1, **fields))
    return out


def build(rules: Rules) -> tuple[list[EnrichedEvent], list[CallRecord]]:
    """Enrich's own functions: every event enriched, every call folded into its record, the
    call with lost events closed by the timeout (stream time far past it)."""
    ctx = EnrichmentContext(PostcodeTable.load(), rules.schedule(), rules.taxonomy(), SECRET)
    config = RecordConfig(short_abandon_seconds=rules.short_abandon_seconds)
    enriched = [enrich(e, ctx, NOW) for e in _raw()]
    states: dict[str, CallState] = {}
    records: dict[str, CallRecord] = {}
    for event in enriched:
        step = observe(
            states.get(event.call_id, CallState(call_id=event.call_id)), event, config, NOW
        )
        assert step.state is not None
        states[event.call_id] = step.state
        if step.record is not None:
            records[event.call_id] = step.record
    for call_id, state in states.items():
        step = sweep(state, t("23:59:00"), config, NOW)
        if step.record is not None:
            records[call_id] = step.record
    return enriched, list(records.values())


def store(engine: Any, rules: Rules) -> list[CallRecord]:
    prepare(engine, engine.dialect, engine.database, rules)
    enriched, records = build(rules)
    db = engine.database
    engine.execute(
        f"INSERT INTO {db}.call_events ({', '.join(rows.COLUMNS)}) VALUES",
        [rows.to_row(e) for e in enriched],
    )
    engine.execute(
        f"INSERT INTO {db}.call_records ({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )
    engine.execute(
        f"INSERT INTO {db}.agent_events (event_id, agent_id, type, occurred_at, occurred_at_ms, "
        "schema_version, reason, origin) VALUES",
        [
            (f"ag{n}", a, kind, t(hms), 0, 1, why, "live")
            for n, (a, kind, hms, why) in enumerate(AGENTS)
        ],
    )
    return records


class Locked:
    """The board's executor: one query at a time (the board serves requests and refreshes its
    gauges in threads; a clickhouse-driver client takes one query at a time, as in production,
    where BoardClickHouse holds a lock too)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.lock = threading.Lock()

    def execute(self, query: str) -> list[tuple[Any, ...]]:
        with self.lock:
            rows_: list[tuple[Any, ...]] = self.engine.execute(query)
            return rows_


def board_json(engine: Any, rules: Rules) -> dict[str, Any]:
    settings = BoardSettings(clickhouse=ClickHouseConnection(database=engine.database), rules=rules)

    async def fetch() -> dict[str, Any]:
        app = create_app(settings, executor=Locked(engine), registry=CollectorRegistry())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://board") as client:
                answer = await client.get("/api/board", params={"at": AT.isoformat()})
                assert answer.status_code == 200, answer.text
                body: dict[str, Any] = answer.json()
                return body

    return anyio.run(fetch)


def report(engine: Any, rules: Rules) -> Any:
    data = load(lambda _name, sql: engine.execute(sql), engine.database)
    options = ReportOptions(
        service_level_target=rules.service_level_target,
        answer_within_seconds=rules.service_level_seconds,
    )
    return analyse(data, options)


def intervals(engine: Any) -> dict[datetime, dict[str, Any]]:
    columns = (
        "offered", "answered", "answered_within", "abandoned", "short_abandoned", "menu_hangups",
        "left_queue", "service_level", "agents_logged_in", "agents_logged_in_mean",
        "paused_seconds", "on_call_seconds", "wrap_up_seconds", "available_seconds", "occupancy",
    )  # fmt: skip
    out = {}
    for start, *values in engine.execute(
        f"SELECT toUInt32(interval_start), {', '.join(columns)} "
        f"FROM {engine.database}.intervals_30m_v"
    ):
        out[datetime.fromtimestamp(int(start), UTC)] = dict(zip(columns, values, strict=True))
    return out


@pytest.fixture
def evening(clickhouse_engine: Any) -> Any:
    store(clickhouse_engine, Rules())
    return clickhouse_engine


def test_records_tell_every_outcome_apart(evening: Any) -> None:
    _, records = build(Rules())
    outcome = {r.call_id: r.outcome.value for r in records}
    assert outcome == {
        "c01": "answered", "c02": "answered", "c03": "menu_hangup", "c04": "short_abandon",
        "c05": "abandoned", "c06": "left_queue", "c07": "answered", "c08": "answered",
        "c09": "no_agent", "c10": "closed",
    }  # fmt: skip
    wait = {r.call_id: r.wait_seconds for r in records}
    assert (wait["c01"], wait["c02"], wait["c03"], wait["c06"]) == (10.0, 45.0, None, 300.0)
    menu = {r.call_id: r.menu_seconds for r in records}
    assert (menu["c01"], menu["c03"]) == (20.0, 8.0)


def test_the_board_shows_the_true_figures(evening: Any) -> None:
    board = board_json(evening, Rules())
    assert board["open_now"] is True
    ev = board["evening"]
    assert (ev["offered"], ev["answered"], ev["answered_within"]) == (9, 4, 3)
    assert (ev["abandoned"], ev["short_abandoned"], ev["menu_hangups"], ev["left_queue"]) == (
        1, 1, 1, 1,
    )  # fmt: skip
    assert ev["service_level"] == pytest.approx(3 / 6)
    assert ev["abandonment_rate"] == pytest.approx(1 / 6)
    assert ev["average_speed_of_answer_seconds"] == pytest.approx((10 + 45 + 15 + 20) / 4)
    # c09 queued 18:50:40: 14 min 20 s in the queue at 19:05; nobody in the menu.
    assert (board["waiting"], board["longest_wait_seconds"], board["in_menu"]) == (1, 860.0, 0)
    agents = board["agents"]
    # A1 available, A2 logged off at 18:40, A3 paused (no reason given) since 19:00.
    assert (agents["logged_in"], agents["available"], agents["on_call"], agents["paused"]) == (
        2, 1, 0, 1,
    )  # fmt: skip
    assert agents["paused_by_reason"] == [{"reason": "unspecified", "agents": 1}]
    # 17:30-19:05 UTC: A1 95 min, A2 70 min (to 18:40), A3 80 min (from 17:45).
    assert agents["evening"]["agent_hours"] == pytest.approx((95 + 70 + 80) / 60)
    assert (board["by_queue"][0]["queue"], board["by_queue"][0]["waiting"]) == ("hotline", 1)


def test_interval_views_show_the_true_figures(evening: Any) -> None:
    rows_ = intervals(evening)
    first = rows_[t("17:30:00")]  # 18:30-19:00 local: c01-c06
    assert [first[k] for k in ("offered", "answered", "answered_within", "abandoned")] == [
        6,
        2,
        1,
        1,
    ]
    assert [first[k] for k in ("short_abandoned", "menu_hangups", "left_queue")] == [1, 1, 1]
    assert first["service_level"] == pytest.approx(1 / 4)
    # A1 and A2 all along, A3 from 17:45: 2.5 agents on average; talk 300 + 360 s, wrap-up
    # 30 + 60 s: occupancy 750 / 4500.
    assert (first["agents_logged_in"], first["agents_logged_in_mean"]) == (3, pytest.approx(2.5))
    assert (first["on_call_seconds"], first["wrap_up_seconds"]) == (660.0, 90.0)
    assert first["occupancy"] == pytest.approx(750 / 4500)
    second = rows_[t("18:00:00")]  # c07, c08; A1's break 18:10-18:25
    assert [second[k] for k in ("offered", "answered", "answered_within")] == [2, 2, 2]
    assert second["paused_seconds"] == 900.0
    assert second["on_call_seconds"] == pytest.approx(600 + 570)
    assert second["occupancy"] == pytest.approx(1170 / (5400 - 900))
    # Before opening: agents logging in, no call within hours (c10 came while closed).
    early = rows_[t("17:00:00")]
    assert (early["offered"], early["agents_logged_in"], early["agents_logged_in_mean"]) == (
        0, 2, pytest.approx(0.5),
    )  # fmt: skip


def test_the_report_shows_the_true_figures(evening: Any) -> None:
    result = report(evening, Rules())
    assert result.open_evenings == 1
    slots = {(s.weekday, s.start.strftime("%H:%M")): s for s in result.profile}
    assert slots[(2, "18:30")].service_level == pytest.approx(1 / 4)
    assert slots[(2, "19:00")].service_level == pytest.approx(1.0)
    agents = {(s.weekday, s.start.strftime("%H:%M")): s for s in result.agents}
    assert agents[(2, "18:30")].logged_in_mean == pytest.approx(2.5)
    assert agents[(2, "19:00")].staffed_mean == pytest.approx((5400 - 900) / 1800)
    aarhus = {f.key: f for f in result.data.callers_by_municipality}["Aarhus"]
    # P1 (c01, c05) and P2 (c02, c07) called twice; c03's number was withheld.
    assert (aarhus.calls, aarhus.callers, aarhus.repeat_calls, aarhus.calls_withheld) == (
        9,
        6,
        2,
        1,
    )


@pytest.mark.parametrize(
    "changed",
    [Rules(short_abandon_seconds=61), Rules(service_level_seconds=45)],
    ids=["short_abandon_seconds=61", "service_level_seconds=45"],
)
def test_one_changed_rule_changes_records_views_board_and_report_alike(
    clickhouse_engine: Any, changed: Rules
) -> None:
    """HOTLINE_RULES__SHORT_ABANDON_SECONDS=61 makes c05 (60 s in the queue) a short abandon;
    HOTLINE_RULES__SERVICE_LEVEL_SECONDS=45 makes c02 (45 s) answered within the threshold."""
    engine = clickhouse_engine
    records = store(engine, changed)  # enrich, migrate (the rules table) and the sink
    short = changed.short_abandon_seconds == 61
    # Records: built by enrich with the rule.
    c05 = {r.call_id: r for r in records}["c05"]
    assert c05.outcome.value == ("short_abandon" if short else "abandoned")
    # Views: the rules table loaded by migrate.
    first = intervals(engine)[t("17:30:00")]
    assert (first["abandoned"], first["short_abandoned"]) == ((0, 2) if short else (1, 1))
    assert first["answered_within"] == (1 if short else 2)
    # Board: its settings nest the same rules.
    ev = board_json(engine, changed)["evening"]
    assert (ev["abandoned"], ev["short_abandoned"], ev["answered_within"]) == (
        (0, 2, 3) if short else (1, 1, 4)
    )
    assert ev["service_level"] == pytest.approx(3 / 5 if short else 4 / 6)
    # Report: reads the views, with the rules' target and threshold.
    slot = {(s.weekday, s.start.strftime("%H:%M")): s for s in report(engine, changed).profile}
    assert slot[(2, "18:30")].service_level == pytest.approx(1 / 3 if short else 2 / 4)
    # And back: reloading the default rules restores the views' figures, history included.
    load_rules(engine, engine.database, Rules())
    first = intervals(engine)[t("17:30:00")]
    assert (first["abandoned"], first["short_abandoned"], first["answered_within"]) == (1, 1, 1)
