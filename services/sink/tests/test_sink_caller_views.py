"""Unique and repeat callers (migration 0012) on ClickHouse 18.16 and chdb, against the one
Python definition (kpi.caller_flags) over a seeded set of calls; the window is the rule
repeat_caller_days, so changing it changes the views."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hotline_schemas import CallRecord, kpi
from hotline_schemas.rules import Rules
from hotline_sink import record_rows
from hotline_sink.reference import load_rules
from hotline_sink.schema import prepare

MakeRecord = Callable[..., CallRecord]
TOPICS = ("nemid_login", "digital_post", "moving", "mitid_login")  # mitid_login: a former id
PLACES = ((751, "Aarhus", "8000", True), (727, "Odder", "8300", True), (None, None, None, False))


def _records(make_record: MakeRecord) -> list[CallRecord]:
    rng = random.Random(11)
    start = make_record().started_at
    records = []
    for n in range(120):
        code, name, postcode, inside = rng.choice(PLACES)
        records.append(
            make_record(
                f"call-{n:03d}",
                started_at=start + timedelta(hours=rng.randrange(0, 24 * 40)),
                caller_key=None if rng.random() < 0.1 else f"caller-{rng.randrange(25)}",
                topic=rng.choice(TOPICS),
                municipality_code=code,
                municipality_name=name,
                caller_postcode=postcode,
                in_catchment=inside,
                within_hours=rng.random() > 0.1,
            )
        )
    return records


def _flags(records: list[CallRecord], days: int) -> dict[str, kpi.CallerFlags]:
    calls = [
        kpi.CallerCall(r.call_id, r.caller_key, r.started_at, r.topic)
        for r in records
        if r.within_hours
    ]
    return kpi.caller_flags(calls, days)


@pytest.fixture
def stored(clickhouse_engine: Any, make_record: MakeRecord) -> list[CallRecord]:
    prepare(clickhouse_engine, clickhouse_engine.dialect, clickhouse_engine.database, Rules())
    records = _records(make_record)
    clickhouse_engine.execute(
        f"INSERT INTO {clickhouse_engine.database}.call_records "
        f"({', '.join(record_rows.COLUMNS)}) VALUES",
        [record_rows.to_row(r) for r in records],
    )
    return records


def _view_flags(engine: Any) -> dict[str, kpi.CallerFlags]:
    rows = engine.execute(
        "SELECT call_id, is_repeat, is_repeat_same_topic, called_again "
        f"FROM {engine.database}.caller_calls_v"
    )
    return {str(c): kpi.CallerFlags(bool(a), bool(b), bool(d)) for c, a, b, d in rows}


@pytest.mark.parametrize("days", [7, 14, 2])
def test_repeat_flags_per_call_match_python(
    clickhouse_engine: Any, stored: list[CallRecord], days: int
) -> None:
    if days != 7:
        load_rules(clickhouse_engine, clickhouse_engine.database, Rules(repeat_caller_days=days))
    expected = _flags(stored, days)
    assert _view_flags(clickhouse_engine) == expected
    assert 5 < sum(f.is_repeat for f in expected.values()) < len(expected)


def test_callers_per_municipality_topic_and_month(
    clickhouse_engine: Any, stored: list[CallRecord]
) -> None:
    db = clickhouse_engine.database
    flags = _flags(stored, 7)
    open_calls = [r for r in stored if r.within_hours]
    by_place: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"calls": 0, "withheld": 0, "callers": set(), "repeats": 0, "repeaters": set()}
    )
    for r in open_calls:
        cell = by_place[r.municipality_code]
        cell["calls"] += 1
        cell["withheld"] += r.caller_key is None
        if r.caller_key is not None:
            cell["callers"].add(r.caller_key)
        if flags[r.call_id].is_repeat:
            cell["repeats"] += 1
            cell["repeaters"].add(r.caller_key)
    rows = clickhouse_engine.execute(
        "SELECT municipality_code, calls, calls_withheld, callers, repeat_calls, repeat_callers, "
        f"repeat_caller_days FROM {db}.callers_by_municipality_v"
    )
    assert {r[0]: tuple(r[1:]) for r in rows} == {
        code: (c["calls"], c["withheld"], len(c["callers"]), c["repeats"], len(c["repeaters"]), 7)
        for code, c in by_place.items()
    }
    # Topics: a call stored under a former id counts under the topic it became.
    topics = clickhouse_engine.execute(
        f"SELECT topic, label_da, calls, callers FROM {db}.callers_by_topic_v ORDER BY topic"
    )
    login = [r for r in open_calls if r.topic in ("nemid_login", "mitid_login")]
    assert [t[0] for t in topics] == ["digital_post", "moving", "nemid_login"]
    (nemid,) = [t for t in topics if t[0] == "nemid_login"]
    assert nemid[1:] == (
        "Log-in med NemID",
        len(login),
        len({r.caller_key for r in login if r.caller_key}),
    )
    months = clickhouse_engine.execute(
        f"SELECT sum(calls), sum(repeat_calls) FROM {db}.callers_by_month_v"
    )
    assert tuple(months[0]) == (len(open_calls), sum(f.is_repeat for f in flags.values()))
