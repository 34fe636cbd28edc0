"""Simulated evenings written as provider files (the simulator's rendering) and read back by the
provider adapters (an independent parser) give the same calls and agent states (pure)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, datetime

import pytest

from hotline_providers.asterisk_queue_log import QueueLogAdapter
from hotline_providers.connect_ctr import ConnectCtrAdapter
from hotline_schemas import AgentEvent, CallEvent, CallEventV2, EventType, Origin
from hotline_simulator import connect_ctr_file, queue_log_file
from hotline_simulator.model import SimulatedEvening, SimulationConfig, evening_rng, simulate

# The Sunday daylight saving began, an ordinary Thursday, a closed Friday.
DAYS = (date(2013, 3, 31), date(2013, 3, 28), date(2013, 3, 29))


@pytest.fixture(scope="module", params=DAYS, ids=str)
def sim(request: pytest.FixtureRequest) -> SimulatedEvening:
    day: date = request.param
    return simulate(day, SimulationConfig(agents=6), evening_rng(21, day))


def _second(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def _calls(events: list[CallEvent] | list[CallEventV2]) -> dict[str, list[CallEvent | CallEventV2]]:
    out: dict[str, list[CallEvent | CallEventV2]] = defaultdict(list)
    for event in events:
        out[event.call_id].append(event)
    return out


def _menu_hangup(call: list[CallEvent]) -> bool:
    kinds = [e.type for e in call]
    return EventType.ABANDONED in kinds and EventType.QUEUED not in kinds


def test_queue_log_round_trip(sim: SimulatedEvening) -> None:
    written = queue_log_file.render(sim.calls, sim.agents)
    adapter = QueueLogAdapter()
    results = [adapter.convert(n, line) for n, line in enumerate(written.lines, 1)]
    assert not [r for r in results if r.rejected]
    events = [e for r in results for e in r.events]
    read = _calls([e for e in events if isinstance(e, CallEventV2)])
    expected = _calls(sim.calls)
    assert len(read) == len(expected)
    for call_id, call in expected.items():
        got = read[f"asterisk:{written.uniqueids[call_id]}"]
        assert [e.type for e in got] == [e.type for e in call]
        for want, have in zip(call, got, strict=True):
            assert isinstance(have, CallEventV2)
            assert have.origin is Origin.IMPORT
            if want.type is EventType.ENDED and _menu_hangup(call):
                # One hang-up line gives both: the end is the hang-up's second.
                assert 0 <= _second(want.occurred_at) - _second(have.occurred_at) <= 1
            else:
                assert _second(have.occurred_at) == _second(want.occurred_at)
            assert have.caller_number == want.caller_number
            if want.type in {EventType.ANSWERED, EventType.ENDED}:
                assert have.agent_id == want.agent_id
            if want.type is EventType.ENDED:
                assert have.wrap_up_code == want.wrap_up_code
            if want.type is not EventType.OFFERED:  # keyed in the IVR, after the arrival
                assert (have.caller_postcode, have.ivr_choice) == (
                    want.caller_postcode,
                    want.ivr_choice,
                )
    agents = [e for e in events if isinstance(e, AgentEvent)]
    calls_back = {f"asterisk:{u}": c for c, u in written.uniqueids.items()}

    def agent_key(a: AgentEvent, call_map: dict[str, str]) -> tuple[object, ...]:
        call = call_map.get(a.call_id, a.call_id) if a.call_id else None
        return (a.agent_id, a.type, _second(a.occurred_at), a.reason, call)

    assert Counter(agent_key(a, calls_back) for a in agents) == Counter(
        agent_key(a, {}) for a in sim.agents
    )


def test_connect_ctr_round_trip(sim: SimulatedEvening) -> None:
    adapter = ConnectCtrAdapter()
    lines = connect_ctr_file.render(sim.calls, sim.agents)
    results = [adapter.convert(n, line) for n, line in enumerate(lines, 1)]
    assert not [r for r in results if r.rejected or r.skipped]
    events = [e for r in results for e in r.events]
    read = _calls([e for e in events if isinstance(e, CallEventV2)])
    for call_id, call in _calls(sim.calls).items():
        got = read[f"connect:{call_id}"]
        assert [e.type for e in got] == [e.type for e in call]
        for want, have in zip(call, got, strict=True):
            if want.type is EventType.ENDED and _menu_hangup(call):
                assert have.occurred_at <= want.occurred_at  # disconnect = the hang-up
            else:
                assert have.occurred_at == want.occurred_at  # milliseconds kept
            assert (have.caller_number, have.caller_postcode, have.ivr_choice) == (
                want.caller_number,
                want.caller_postcode,
                want.ivr_choice,
            )
            if want.type is EventType.ENDED:
                assert have.wrap_up_code == want.wrap_up_code
    wrap_ups = [
        (a.agent_id, a.type, a.occurred_at, a.call_id)
        for a in sim.agents
        if a.type.value.startswith("wrap_up")
    ]
    back = [
        (a.agent_id, a.type, a.occurred_at, (a.call_id or "").removeprefix("connect:"))
        for a in events
        if isinstance(a, AgentEvent)
    ]
    assert sorted(back, key=str) == sorted(wrap_ups, key=str)
