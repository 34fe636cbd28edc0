"""The catchment-load views (migrations 0006, 0011) on current ClickHouse (chdb) over the fixed
history of conftest.py; every expected figure is worked out by hand there."""

from __future__ import annotations

from typing import Any

import pytest

from hotline_report.queries import LoadData, load
from hotline_schemas.rules import Rules
from hotline_sink.dialect import Dialect
from hotline_sink.schema import prepare

DB = "report_test"


@pytest.fixture
def data(chdb_executor: Any, insert_history: Any) -> LoadData:
    prepare(chdb_executor, Dialect.for_version(chdb_executor.version()), DB, Rules())
    insert_history(chdb_executor, DB)
    return load(lambda _name, sql: chdb_executor.execute(sql), DB)


def test_calls_per_1000_citizens_per_open_evening(data: LoadData) -> None:
    by_name = {m.name: m for m in data.municipalities}
    assert len(by_name) == 7  # every member, with or without calls
    assert {m.open_evenings for m in data.municipalities} == {4}
    # Aarhus: 4 + 1 calls within hours (the 2 Friday calls came while closed).
    assert by_name["Aarhus"].calls == 5
    assert by_name["Aarhus"].calls_per_1000_per_evening == pytest.approx(5 * 1000 / 319094 / 4)
    assert by_name["Odder"].calls_per_1000_per_evening == pytest.approx(2 * 1000 / 21800 / 4)
    # Silkeborg's mon2-0 is stored twice; FINAL keeps one.
    assert by_name["Silkeborg"].calls == 3
    assert by_name["Favrskov"].calls == 0
    assert by_name["Favrskov"].calls_per_1000_per_evening == 0
    assert by_name["Aarhus"].population == 319094
    assert "FOLK1" in by_name["Aarhus"].source
    # Highest load per citizen first.
    assert data.municipalities[0].name == "Odder"


def test_share_from_outside_the_catchment_and_without_postcode(data: LoadData) -> None:
    by_origin = {o.origin: o for o in data.origin}
    assert {k: v.calls for k, v in by_origin.items()} == {
        "catchment": 12,  # Aarhus 4+1+2 closed, Odder 2, Silkeborg 3
        "outside_catchment": 1,
        "no_postcode": 1,
        "unknown_postcode": 1,
    }
    assert by_origin["catchment"].calls_within_hours == 10
    assert by_origin["unknown_postcode"].calls_within_hours == 0
    assert by_origin["outside_catchment"].share == pytest.approx(1 / 15)
    assert sum(o.share for o in data.origin) == pytest.approx(1.0)


def test_calls_while_closed_by_local_weekday_and_hour(data: LoadData) -> None:
    assert [(c.weekday, c.hour, c.calls, c.dates) for c in data.while_closed] == [
        (4, 19, 2, 1),  # Friday 19:10 local (18:10 UTC)
        (6, 22, 1, 1),  # Sunday 22:15 local
    ]


def test_topic_mix_per_area(data: LoadData) -> None:
    mix = {(t.area, t.topic): (t.calls, t.share_of_area) for t in data.topic_mix}
    assert mix[("Aarhus", "nemid_login")] == (5, pytest.approx(5 / 7))
    assert mix[("Aarhus", "digital_post")] == (2, pytest.approx(2 / 7))
    assert mix[("outside_catchment", "digital_post")] == (1, 1.0)
    assert mix[("no_postcode", "booking")] == (1, 1.0)
    assert mix[("unknown_postcode", "unknown")] == (1, 1.0)


def test_half_hours_of_each_open_evening_in_local_time(data: LoadData) -> None:
    cells = {(str(r.local_date), r.slot_minute): r for r in data.intervals}
    assert sorted((d, s, r.offered) for (d, s), r in cells.items()) == [
        ("2013-03-03", 1110, 4),
        ("2013-03-03", 1140, 2),
        ("2013-03-04", 1110, 1),
        ("2013-03-10", 1110, 2),
        ("2013-03-11", 1110, 3),
    ]
    odder = cells[("2013-03-03", 1140)]
    assert (odder.answered, odder.abandoned, odder.talked) == (1, 1, 1)
    assert odder.talk_seconds_sum == pytest.approx(200)
    assert odder.waited_seconds_sum == pytest.approx(90)  # 30 answered + 60 abandoned
    assert odder.interval_start.isoformat() == "2013-03-03T18:00:00+00:00"


def test_unique_and_repeat_callers(data: LoadData) -> None:
    by_place = {f.key: f for f in data.callers_by_municipality}
    aarhus, silkeborg = by_place["Aarhus"], by_place["Silkeborg"]
    assert (aarhus.calls, aarhus.callers, aarhus.calls_withheld) == (5, 1, 0)
    assert (aarhus.repeat_calls, aarhus.repeat_callers, aarhus.called_again) == (4, 1, 4)
    assert (silkeborg.calls, silkeborg.callers, silkeborg.repeat_calls) == (3, 2, 1)
    assert silkeborg.repeat_share == pytest.approx(1 / 3)
    assert silkeborg.resolution_proxy == pytest.approx(2 / 3)
    # Odder's two calls, Randers' and the one without a postcode: numbers withheld.
    assert by_place["Odder"].callers == 0
    assert by_place["unknown"].calls_withheld == 1  # no postcode: municipality NULL
    assert {f.repeat_caller_days for f in data.callers_by_municipality} == {7}
    topics = {f.key: f for f in data.callers_by_topic}
    assert topics["nemid_login"].label == "NemID log-in"
    assert topics["nemid_login"].repeat_calls == 5
