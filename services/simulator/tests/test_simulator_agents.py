"""The agents' side of a simulated evening: shifts, breaks, wrap-up and ring-no-answer agree
with the calls (who answered what, when)."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from hotline_schemas import AgentEvent, AgentEventType, CallEvent, EventType
from hotline_simulator import evening
from hotline_simulator.model import (
    SimulatedEvening,
    SimulationConfig,
    evening_rng,
    simulate,
    simulate_evening,
)

CONFIG = SimulationConfig()
DAYS = [date(2012, 12, 2) + timedelta(n) for n in range(7)]  # Sunday to Saturday
OPENS = {d: evening.opening_instant(d) for d in DAYS}


@pytest.fixture(scope="module")
def week() -> dict[date, SimulatedEvening]:
    return {d: simulate(d, CONFIG, evening_rng(11, d)) for d in DAYS}


def _by_agent(agents: list[AgentEvent]) -> dict[str, list[AgentEvent]]:
    out: dict[str, list[AgentEvent]] = defaultdict(list)
    for event in agents:
        out[event.agent_id].append(event)
    return out


def _answered(calls: list[CallEvent]) -> dict[str, tuple[CallEvent, CallEvent]]:
    """call_id -> (answered, ended) of the answered calls."""
    answered = {e.call_id: e for e in calls if e.type is EventType.ANSWERED}
    ended = {e.call_id: e for e in calls if e.type is EventType.ENDED}
    return {c: (a, ended[c]) for c, a in answered.items()}


def test_same_seed_same_agents_and_the_calls_are_the_same_as_simulate_evening() -> None:
    day = DAYS[0]
    first = simulate(day, CONFIG, evening_rng(4, day))
    again = simulate(day, CONFIG, evening_rng(4, day))
    assert first == again
    assert first.calls == simulate_evening(day, CONFIG, evening_rng(4, day))


def test_agent_events_are_valid_sorted_and_unique(week: dict[date, SimulatedEvening]) -> None:
    ids = set()
    for sim in week.values():
        times = [a.occurred_at for a in sim.agents]
        assert times == sorted(times)
        for agent in sim.agents:
            assert AgentEvent.model_validate_json(agent.model_dump_json()) == agent
            ids.add(agent.event_id)
    assert len(ids) == sum(len(s.agents) for s in week.values())


def test_everyone_on_shift_logs_in_before_opening_and_out_after_their_last_work(
    week: dict[date, SimulatedEvening],
) -> None:
    for day, sim in week.items():
        if not evening.is_opening_day(day):
            assert sim.agents == []  # Friday and Saturday: closed, nobody on shift
            continue
        agents = _by_agent(sim.agents)
        assert len(agents) == CONFIG.agents
        closes = OPENS[day] + timedelta(seconds=evening.CLOSE_S)
        for events in agents.values():
            assert events[0].type is AgentEventType.LOGGED_IN
            assert events[-1].type is AgentEventType.LOGGED_OUT
            assert [e.type for e in events].count(AgentEventType.LOGGED_IN) == 1
            assert OPENS[day] - timedelta(minutes=15) <= events[0].occurred_at < OPENS[day]
            assert events[-1].occurred_at > closes


def test_every_answered_call_is_followed_by_its_agents_wrap_up(
    week: dict[date, SimulatedEvening],
) -> None:
    for sim in week.values():
        starts = {a.call_id: a for a in sim.agents if a.type is AgentEventType.WRAP_UP_STARTED}
        ends = {a.call_id: a for a in sim.agents if a.type is AgentEventType.WRAP_UP_ENDED}
        answered = _answered(sim.calls)
        assert set(starts) == set(ends) == set(answered)
        for call_id, (answer, end) in answered.items():
            assert starts[call_id].agent_id == ends[call_id].agent_id == answer.agent_id
            assert starts[call_id].occurred_at == end.occurred_at
            wrap = ends[call_id].occurred_at - starts[call_id].occurred_at
            assert timedelta(seconds=15) <= wrap <= timedelta(seconds=60)


def test_nobody_answers_while_paused_in_wrap_up_or_logged_out(
    week: dict[date, SimulatedEvening],
) -> None:
    for sim in week.values():
        busy: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        for agent, events in _by_agent(sim.agents).items():
            login, logout = events[0].occurred_at, events[-1].occurred_at
            pauses = [
                e for e in events if e.type in {AgentEventType.PAUSED, AgentEventType.UNPAUSED}
            ]
            for start, end in zip(pauses[::2], pauses[1::2], strict=True):
                assert (start.type, end.type) == (AgentEventType.PAUSED, AgentEventType.UNPAUSED)
                assert start.reason == end.reason
                busy[agent].append((start.occurred_at, end.occurred_at, "pause"))
            busy[agent].append((login - timedelta(days=1), login, "out"))
            busy[agent].append((logout, logout + timedelta(days=1), "out"))
        for call_id, (answer, _) in _answered(sim.calls).items():
            wrap_end = next(
                a.occurred_at
                for a in sim.agents
                if a.call_id == call_id and a.type is AgentEventType.WRAP_UP_ENDED
            )
            busy[str(answer.agent_id)].append((answer.occurred_at, wrap_end, call_id))
        for spans in busy.values():
            spans.sort()
            for (_, end, what), (start, _, other) in itertools.pairwise(spans):
                assert end <= start, (what, other)


def test_breaks_have_reasons_and_most_agents_take_one(week: dict[date, SimulatedEvening]) -> None:
    reasons: Counter[str | None] = Counter()
    for sim in week.values():
        for agent in sim.agents:
            if agent.type is AgentEventType.PAUSED:
                reasons[agent.reason] += 1
                local = agent.occurred_at.astimezone(evening.TZ)
                assert 19 <= local.hour <= 22
    open_days = sum(evening.is_opening_day(d) for d in DAYS)
    assert reasons["break"] >= 0.8 * open_days * CONFIG.agents
    assert set(reasons) <= {"break", "personal"}


def test_calls_sometimes_ring_out_at_an_agent_before_being_answered_or_abandoned(
    week: dict[date, SimulatedEvening],
) -> None:
    rings = [
        (sim, a)
        for sim in week.values()
        for a in sim.agents
        if a.type is AgentEventType.RING_NO_ANSWER
    ]
    assert rings
    for sim, ring in rings:
        call = [e for e in sim.calls if e.call_id == ring.call_id]
        kinds = {e.type: e for e in call}
        queued = kinds[EventType.QUEUED].occurred_at
        outcome = kinds.get(EventType.ANSWERED) or kinds[EventType.ABANDONED]
        ring_started = ring.occurred_at - timedelta(seconds=CONFIG.ring_timeout_s)
        assert queued <= ring_started
        assert ring.occurred_at <= outcome.occurred_at
