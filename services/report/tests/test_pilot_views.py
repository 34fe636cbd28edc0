"""The pilot report's views (migrations 0016-0018) on ClickHouse 18.16 and on chdb (current
ClickHouse), over the fixed history of conftest.py (every answer worked out by hand there) plus
one agent's shift on Sunday 3 March 2013 (winter time: local = UTC + 1):

logged in 18:15-19:45 local, on a break 19:00-19:10; the agent answered the four Aarhus calls
of 18:35 (300 s each, all inside the 18:30 half hour) and Odder's call of 19:05 (200 s).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from hotline_schemas.rules import Rules
from hotline_sink.schema import prepare

SHIFT = [
    ("logged_in", datetime(2013, 3, 3, 17, 15, tzinfo=UTC), None),
    ("paused", datetime(2013, 3, 3, 18, 0, tzinfo=UTC), "break"),
    ("unpaused", datetime(2013, 3, 3, 18, 10, tzinfo=UTC), "break"),
    ("logged_out", datetime(2013, 3, 3, 18, 45, tzinfo=UTC), None),
]


@pytest.fixture
def engine(clickhouse_engine: Any, insert_history: Any) -> Any:
    db = clickhouse_engine.database
    prepare(clickhouse_engine, clickhouse_engine.dialect, db, Rules())
    insert_history(clickhouse_engine, db)
    clickhouse_engine.execute(
        f"INSERT INTO {db}.agent_events (event_id, agent_id, type, occurred_at, occurred_at_ms, "
        "schema_version, reason, origin) VALUES",
        [(f"s{n}", "agent-01", kind, when, 0, 1, why, "live") for n, (kind, when, why) in
         enumerate(SHIFT)],
    )  # fmt: skip
    return clickhouse_engine


def _rows(engine: Any, sql: str) -> list[dict[str, Any]]:
    names = [str(n) for (n, *_rest) in engine.execute(f"DESCRIBE TABLE ({sql})")]
    return [dict(zip(names, row, strict=True)) for row in engine.execute(sql)]


def _day(value: Any) -> str:
    return str(value)[:10]


def test_days_count_every_outcome_origin_and_storage_per_local_date(engine: Any) -> None:
    db = engine.database
    days = {_day(r["local_date"]): r for r in _rows(engine, f"SELECT * FROM {db}.pilot_days_v")}
    assert sorted(days) == ["2013-03-03", "2013-03-04", "2013-03-08", "2013-03-10", "2013-03-11"]
    sunday = days["2013-03-03"]
    assert sunday["local_weekday"] == 7
    assert _day(sunday["local_month"]) == "2013-03-01"
    assert {k: sunday[k] for k in (
        "calls", "offered", "answered", "answered_within", "abandoned", "short_abandoned",
        "menu_hangups", "left_queue", "no_agent", "talked", "closed_calls", "withheld",
        "catchment", "imported", "live", "out_of_scope",
    )} == {
        "calls": 6, "offered": 6, "answered": 5, "answered_within": 4, "abandoned": 1,
        "short_abandoned": 0, "menu_hangups": 0, "left_queue": 0, "no_agent": 0, "talked": 5,
        "closed_calls": 0, "withheld": 2, "catchment": 6, "imported": 0, "live": 6,
        "out_of_scope": 0,
    }  # fmt: skip
    assert sunday["talk_seconds_sum"] == pytest.approx(4 * 300 + 200)
    assert sunday["wait_answered_seconds_sum"] == pytest.approx(4 * 10 + 30)
    assert sunday["waited_seconds_sum"] == pytest.approx(4 * 10 + 30 + 60)
    assert sunday["service_level_seconds"] == 20
    friday = days["2013-03-08"]  # two Aarhus calls while closed: no offered call that day
    assert (friday["calls"], friday["offered"], friday["closed_calls"]) == (2, 0, 2)
    later = days["2013-03-10"]
    assert (later["offered"], later["closed_calls"], later["withheld"]) == (2, 1, 1)
    assert (later["catchment"], later["no_postcode"], later["unknown_postcode"]) == (1, 1, 1)
    assert days["2013-03-04"]["outside_catchment"] == 1
    # The Silkeborg call stored twice (no_agent, then answered) counts once, answered.
    assert (days["2013-03-11"]["offered"], days["2013-03-11"]["no_agent"]) == (3, 0)
    # A date range is a WHERE on local_date and a sum.
    ((offered, closed),) = engine.execute(
        f"SELECT sum(offered), sum(closed_calls) FROM {db}.pilot_days_v "
        "WHERE local_date BETWEEN toDate('2013-03-04') AND toDate('2013-03-10')"
    )
    assert (offered, closed) == (3, 3)


def test_hours_split_calls_within_and_outside_the_opening_hours(engine: Any) -> None:
    db = engine.database
    got = sorted(
        (_day(d), int(w), int(h), int(i), int(c))
        for d, w, h, i, c in engine.execute(
            f"SELECT local_date, local_weekday, local_hour, within_hours, calls "
            f"FROM {db}.pilot_hours_v"
        )
    )
    assert got == [
        ("2013-03-03", 7, 18, 1, 4),
        ("2013-03-03", 7, 19, 1, 2),
        ("2013-03-04", 1, 18, 1, 1),
        ("2013-03-08", 5, 19, 0, 2),
        ("2013-03-10", 7, 18, 1, 2),
        ("2013-03-10", 7, 22, 0, 1),
        ("2013-03-11", 1, 18, 1, 3),
    ]


def test_members_and_their_calls_per_date(engine: Any) -> None:
    db = engine.database
    members = {
        str(name): int(pop)
        for name, pop in engine.execute(
            f"SELECT municipality_name, population FROM {db}.pilot_members_v"
        )
    }
    assert len(members) == 7
    assert members["Odder"] == 21800
    assert sum(members.values()) == 615419
    got = sorted(
        (_day(d), str(n), int(p), int(c), int(a))
        for d, n, p, c, a in engine.execute(
            f"SELECT local_date, municipality_name, population, calls, answered "
            f"FROM {db}.pilot_municipality_days_v"
        )
    )
    # Randers (outside the hotline) and the calls while closed are not there.
    assert got == [
        ("2013-03-03", "Aarhus", 319094, 4, 4),
        ("2013-03-03", "Odder", 21800, 2, 1),
        ("2013-03-10", "Aarhus", 319094, 1, 1),
        ("2013-03-11", "Silkeborg", 89346, 3, 3),
    ]


def test_topics_per_date_with_the_pilots_danish_and_english_labels(engine: Any) -> None:
    db = engine.database
    rows = {
        (_day(r["local_date"]), r["topic"]): r
        for r in _rows(engine, f"SELECT * FROM {db}.pilot_topic_days_v")
    }
    login = rows[("2013-03-03", "nemid_login")]
    assert (login["label_da"], login["label_en"], login["in_scope"]) == (
        "Log-in med NemID",
        "NemID log-in",
        1,
    )
    assert (login["calls"], login["answered"], login["talked"]) == (6, 5, 5)
    assert login["talk_seconds_sum"] == pytest.approx(1400)
    post = rows[("2013-03-08", "digital_post")]
    assert (post["calls"], post["closed_calls"], post["label_da"]) == (
        0,
        2,
        "Digital Post (e-Boks)",
    )
    assert rows[("2013-03-10", "booking")]["label_da"] == "Tidsbestilling"
    assert rows[("2013-03-10", "unknown")]["closed_calls"] == 1


def test_half_hours_put_calls_beside_the_agent_on_shift(engine: Any) -> None:
    db = engine.database
    cells = {
        (_day(r["local_date"]), int(r["local_slot_minute"])): r
        for r in _rows(engine, f"SELECT * FROM {db}.pilot_intervals_v")
    }
    before = cells[("2013-03-03", 18 * 60)]  # logged in at 18:15, opening at 18:30
    assert (before["offered"], before["agents_logged_in"]) == (0, 1)
    assert before["logged_in_seconds"] == pytest.approx(900)
    first = cells[("2013-03-03", 18 * 60 + 30)]
    assert (first["offered"], first["queued"], first["answered"], first["answered_within"]) == (
        4,
        4,
        4,
        4,
    )
    assert first["local_weekday"] == 7
    assert first["logged_in_seconds"] == pytest.approx(1800)
    assert first["on_call_seconds"] == pytest.approx(1200)
    assert first["available_seconds"] == pytest.approx(600)
    assert first["waited_seconds_sum"] == pytest.approx(40)
    second = cells[("2013-03-03", 19 * 60)]
    assert (second["offered"], second["answered"], second["abandoned"]) == (2, 1, 1)
    assert second["waited_seconds_sum"] == pytest.approx(90)
    assert second["wait_answered_seconds_sum"] == pytest.approx(30)
    assert second["paused_seconds"] == pytest.approx(600)
    assert second["on_call_seconds"] == pytest.approx(200)
    assert second["available_seconds"] == pytest.approx(1800 - 600 - 200)
    last = cells[("2013-03-03", 19 * 60 + 30)]  # logged out at 19:45
    assert (last["offered"], last["logged_in_seconds"]) == (0, pytest.approx(900))
    # Calls answered on evenings without agent events: calls, and no one logged in.
    monday = cells[("2013-03-11", 18 * 60 + 30)]
    assert (monday["offered"], monday["agents_logged_in"], monday["logged_in_seconds"]) == (3, 0, 0)


def test_callers_are_known_numbers_within_the_opening_hours(engine: Any) -> None:
    db = engine.database
    ((calls, callers),) = engine.execute(
        f"SELECT count(), uniqExact(caller_key) FROM {db}.pilot_callers_v"
    )
    assert (calls, callers) == (8, 3)  # k1 (5 calls), k2 (2), k3 (1)
    by_place = dict(
        engine.execute(
            f"SELECT municipality_code, uniqExact(caller_key) FROM {db}.pilot_callers_v "
            "GROUP BY municipality_code"
        )
    )
    assert by_place == {751: 1, 740: 2}
    ((month, n),) = engine.execute(
        f"SELECT local_month, uniqExact(caller_key) FROM {db}.pilot_callers_v "
        "WHERE local_date BETWEEN toDate('2013-03-01') AND toDate('2013-03-31') "
        "GROUP BY local_month"
    )
    assert (_day(month), n) == ("2013-03-01", 3)
    assert date.fromisoformat(_day(month)) == date(2013, 3, 1)
