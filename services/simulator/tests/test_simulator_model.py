"""The simulated evening: deterministic, well-formed, and shaped like the hotline's evenings."""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

import pytest

from hotline_schemas import CallEvent, EventType
from hotline_schemas.hours import load_schedule
from hotline_simulator import evening
from hotline_simulator.callers import GARBAGE_POSTCODES, draw_postcode
from hotline_simulator.model import TEAM, SimulationConfig, evening_rng, simulate_evening
from hotline_simulator.reference import load_pools

SUNDAY = date(2013, 4, 7)  # summer time (CEST), the week after Easter
WEDNESDAY = date(2013, 3, 27)  # winter time (CET), the last evening before Easter
THURSDAY = date(2013, 4, 4)
FRIDAY = date(2013, 4, 5)
EASTER_SUNDAY = date(2013, 3, 31)  # a public holiday: closed, though a Sunday
POOLS = load_pools()
PILOT = load_schedule(None)
CONFIG = SimulationConfig(pools=POOLS, schedule=PILOT)

LIFECYCLES = {
    ("offered", "queued", "answered", "ended"),
    ("offered", "queued", "abandoned", "ended"),
    ("offered", "abandoned", "ended"),  # hung up in the IVR or during the closed message
    ("offered", "ended"),  # heard the closed message to the end
}


def calls_of(events: list[CallEvent]) -> dict[str, list[CallEvent]]:
    calls: dict[str, list[CallEvent]] = defaultdict(list)
    for event in events:
        calls[event.call_id].append(event)
    return calls


@pytest.fixture(scope="module")
def evenings() -> list[list[CallEvent]]:
    """Twelve opening evenings (Sunday to Thursday) from the pilot's start."""
    days = list(PILOT.opening_days(date(2012, 12, 1), date(2012, 12, 20)))[:12]
    assert len(days) == 12
    assert days[0] == date(2012, 12, 3)
    return [simulate_evening(d, CONFIG, evening_rng(7, d)) for d in days]


def test_same_seed_and_date_give_the_same_events() -> None:
    first = simulate_evening(SUNDAY, CONFIG, evening_rng(42, SUNDAY))
    again = simulate_evening(SUNDAY, CONFIG, evening_rng(42, SUNDAY))
    other = simulate_evening(SUNDAY, CONFIG, evening_rng(43, SUNDAY))
    assert [e.model_dump() for e in first] == [e.model_dump() for e in again]
    assert [e.event_id for e in first] != [e.event_id for e in other]


def test_ids_are_unique_and_differ_between_evenings_with_one_seed() -> None:
    sunday = simulate_evening(SUNDAY, CONFIG, evening_rng(1, SUNDAY))
    thursday = simulate_evening(THURSDAY, CONFIG, evening_rng(1, THURSDAY))
    ids = [e.event_id for e in sunday + thursday]
    assert len(ids) == len(set(ids))
    assert not {e.call_id for e in sunday} & {e.call_id for e in thursday}


def test_every_event_validates_and_the_list_is_in_time_order(
    evenings: list[list[CallEvent]],
) -> None:
    for events in evenings:
        assert events
        for event in events:
            assert CallEvent.model_validate_json(event.model_dump_json()) == event
            assert event.line == "+4570200000"
        times = [e.occurred_at for e in events]
        assert times == sorted(times)


def test_every_call_has_a_well_ordered_lifecycle(evenings: list[list[CallEvent]]) -> None:
    seen: Counter[tuple[str, ...]] = Counter()
    for events in evenings:
        for call in calls_of(events).values():
            kinds = tuple(str(e.type) for e in call)
            assert kinds in LIFECYCLES, kinds
            times = [e.occurred_at for e in call]
            assert times == sorted(times)
            assert len({(e.caller_number, e.caller_postcode, e.ivr_choice) for e in call}) == 1
            seen[kinds] += 1
    assert set(seen) == LIFECYCLES


def test_answered_calls_carry_agent_and_mostly_a_wrap_up_code(
    evenings: list[list[CallEvent]],
) -> None:
    ended_answered = [
        call[-1]
        for events in evenings
        for call in calls_of(events).values()
        if len(call) == 4 and call[2].type is EventType.ANSWERED
    ]
    assert all(e.agent_id in TEAM for e in ended_answered)
    missing = sum(e.wrap_up_code is None for e in ended_answered) / len(ended_answered)
    assert 0.05 < missing < 0.16
    unanswered = [
        e
        for events in evenings
        for e in events
        if e.type is not EventType.ENDED or e.agent_id is None
    ]
    assert all(e.wrap_up_code is None for e in unanswered)


def test_no_agent_handles_two_calls_at_once(evenings: list[list[CallEvent]]) -> None:
    for events in evenings:
        busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for call in calls_of(events).values():
            if len(call) == 4 and call[2].type is EventType.ANSWERED:
                assert call[2].agent_id == call[3].agent_id
                busy[str(call[2].agent_id)].append((call[2].occurred_at, call[3].occurred_at))
        assert 1 <= len(busy) <= CONFIG.agents
        for spans in busy.values():
            spans.sort()
            for (_, end), (start, _) in itertools.pairwise(spans):
                assert end <= start


def test_some_calls_come_outside_opening_hours_and_are_never_queued(
    evenings: list[list[CallEvent]],
) -> None:
    outside = 0
    for events in evenings:
        for call in calls_of(events).values():
            local = call[0].occurred_at.astimezone(evening.TZ).time()
            if not time(18, 30) <= local < time(22, 0):
                outside += 1
                assert EventType.QUEUED not in {e.type for e in call}
                assert call[-1].occurred_at - call[0].occurred_at < timedelta(minutes=1)
    total = sum(len(calls_of(events)) for events in evenings)
    assert 0.02 < outside / total < 0.20


def test_abandoned_share_is_plausible(evenings: list[list[CallEvent]]) -> None:
    queued = [call for events in evenings for call in calls_of(events).values() if len(call) == 4]
    abandoned = sum(call[2].type is EventType.ABANDONED for call in queued)
    assert 0.03 < abandoned / len(queued) < 0.35
    waits = [
        call[2].occurred_at - call[1].occurred_at
        for call in queued
        if call[2].type is EventType.ABANDONED
    ]
    assert any(w < timedelta(seconds=5) for w in waits)  # short abandons exist


def test_arrivals_peak_in_the_evening_and_tail_off(evenings: list[list[CallEvent]]) -> None:
    minutes: Counter[int] = Counter()
    for events in evenings:
        for event in events:
            if event.type is EventType.OFFERED:
                local = event.occurred_at.astimezone(evening.TZ)
                minutes[local.hour * 60 + local.minute] += 1

    def per_minute(start: time, end: time) -> float:
        lo, hi = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        return sum(minutes[m] for m in range(lo, hi)) / (hi - lo)

    peak = per_minute(time(19, 0), time(20, 30))
    assert per_minute(time(21, 30), time(22, 0)) < 0.6 * peak
    assert per_minute(time(22, 0), time(23, 0)) < 0.2 * peak
    assert per_minute(time(18, 0), time(18, 30)) < 0.2 * peak


def test_postcodes_follow_population_with_outside_missing_and_garbage() -> None:
    rng = random.Random(5)
    draws = [draw_postcode(POOLS, rng) for _ in range(40_000)]
    primary = {code: m for m, codes in POOLS.by_municipality.items() for code in codes}
    inside = [primary[p] for p in draws if p in primary]
    shares = {m: n / len(inside) for m, n in Counter(inside).items()}
    total = sum(POOLS.populations)
    for m in POOLS.municipalities:
        assert shares[m.code] == pytest.approx(m.population / total, abs=0.015)
    assert shares[751] == pytest.approx(0.5185, abs=0.015)  # Aarhus: 319,094 of 615,419
    assert sum(p is None for p in draws) / len(draws) == pytest.approx(0.05, abs=0.01)
    assert sum(p in POOLS.outside for p in draws) / len(draws) == pytest.approx(0.05, abs=0.01)
    assert sum(p in GARBAGE_POSTCODES for p in draws) / len(draws) == pytest.approx(0.01, abs=0.004)


def test_an_evening_has_withheld_numbers_and_odd_postcodes(evenings: list[list[CallEvent]]) -> None:
    offered = [e for events in evenings for e in events if e.type is EventType.OFFERED]
    assert 0.04 < sum(e.caller_number is None for e in offered) / len(offered) < 0.18
    assert any(e.caller_postcode is None for e in offered)
    assert any(e.caller_postcode in POOLS.outside for e in offered)
    assert all(e.caller_number is None or len(e.caller_number) == 11 for e in offered)
    assert {e.ivr_choice for e in offered} >= {"1", "2", "3", "4", "5", "6", None}


def test_times_carry_the_copenhagen_offset_across_daylight_saving() -> None:
    sunday = simulate_evening(SUNDAY, CONFIG, evening_rng(3, SUNDAY))
    wednesday = simulate_evening(WEDNESDAY, CONFIG, evening_rng(3, WEDNESDAY))
    assert {e.occurred_at.utcoffset() for e in sunday} == {timedelta(hours=2)}
    assert {e.occurred_at.utcoffset() for e in wednesday} == {timedelta(hours=1)}


@pytest.mark.parametrize("closed", [FRIDAY, EASTER_SUNDAY, date(2013, 12, 2)])
def test_a_closed_day_has_few_calls_and_all_hear_the_closed_message(closed: date) -> None:
    # A Friday, a public holiday on a Sunday, a Monday after the pilot: the schedule decides.
    events = simulate_evening(closed, CONFIG, evening_rng(3, closed))
    open_day = simulate_evening(THURSDAY, CONFIG, evening_rng(3, THURSDAY))
    assert events
    assert len(events) < len(open_day) / 2
    assert {e.type for e in events} <= {EventType.OFFERED, EventType.ABANDONED, EventType.ENDED}


def test_more_agents_mean_fewer_abandoned_calls() -> None:
    def abandoned(agents: int) -> int:
        config = SimulationConfig(peak_per_hour=80, agents=agents, pools=POOLS, schedule=PILOT)
        events = simulate_evening(SUNDAY, config, evening_rng(9, SUNDAY))
        calls = calls_of(events).values()
        return sum(len(c) == 4 and c[2].type is EventType.ABANDONED for c in calls)

    assert abandoned(19) < abandoned(3)


@pytest.mark.parametrize("agents", [0, 20])
def test_config_rejects_impossible_staffing(agents: int) -> None:
    with pytest.raises(ValueError, match="agents"):
        SimulationConfig(agents=agents, pools=POOLS)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2013, 4, 5), date(2013, 4, 4)),  # Friday -> Thursday
        (date(2013, 4, 6), date(2013, 4, 4)),  # Saturday -> Thursday
        (date(2013, 4, 7), date(2013, 4, 7)),  # Sunday is an opening day
        (date(2013, 3, 31), date(2013, 3, 27)),  # Easter: Thursday 28 March is Skærtorsdag
        (date(2014, 6, 1), date(2013, 12, 1)),  # after the pilot: its last evening
    ],
)
def test_most_recent_opening_day(today: date, expected: date) -> None:
    assert evening.most_recent_opening_day(today, PILOT) == expected


def test_profile_steps_at_opening_and_closing() -> None:
    assert evening.profile_factor(-1.0) < 0.2 < evening.profile_factor(0.0)
    assert evening.profile_factor(evening.CLOSE_S - 1) > evening.profile_factor(evening.CLOSE_S)
    assert evening.profile_factor(evening.WINDOW_END_S) == 0.0
    assert evening.profile_factor(3600.0) == 1.0
