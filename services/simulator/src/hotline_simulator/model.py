"""One simulated evening of hotline calls as the provider would report them (pure, seeded).

Every call goes through the IVR first (postcode, then the menu), so even calls outside opening
hours carry what the caller keyed; then:

- outside opening hours: the closed message plays and the call ends; some callers hang up
  during it (`offered`, [`abandoned`], `ended`);
- within opening hours: the call joins one FIFO queue served by the agents on shift. It is
  answered when an agent is free before the caller's patience runs out, otherwise abandoned
  (`offered`, `queued`, `answered` | `abandoned`, `ended`). A few callers hang up in the IVR
  (`offered`, `abandoned`, `ended`). Some who gave up ring again a few minutes later.

The agents on shift log in before opening, take breaks when they are free and a break is due,
do after-call work after each call, sometimes let a call ring out (it then goes to the next
free agent), and log out after closing (`shifts.py`): `simulate()` returns those as AgentEvents
beside the calls, consistent with who answered what.
"""

from __future__ import annotations

import heapq
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date

from hotline_schemas import AgentEvent, AgentEventType, CallEvent, EventType
from hotline_simulator import evening, shifts
from hotline_simulator.callers import Caller, draw_caller
from hotline_simulator.reference import PostcodePools, load_pools
from hotline_simulator.topics import choose_wrap_up_code

LINE = "+4570200000"
QUEUE = "hotline"
TEAM = tuple(f"agent-{n:02d}" for n in range(1, 20))  # the 19-person cross-municipal team

IVR_HANGUP_SHARE = 0.02
SHORT_PATIENCE_SHARE = 0.05  # callers who give up within seconds of joining the queue
CLOSED_HANGUP_SHARE = 0.25
RETRY_SHARE = 0.30
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class SimulationConfig:
    peak_per_hour: float = 50.0
    agents: int = 5
    mean_talk_s: float = 300.0
    talk_sigma: float = 0.6  # lognormal shape: most calls 2-8 min, a few much longer
    mean_patience_s: float = 150.0
    # A call rings an agent who does not pick up within the ring timeout, now and then.
    ring_no_answer_share: float = 0.03
    ring_timeout_s: float = 15.0
    pools: PostcodePools = field(default_factory=load_pools, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.agents <= len(TEAM):
            raise ValueError(f"agents must be between 1 and {len(TEAM)}, not {self.agents}")
        if self.peak_per_hour < 0:
            raise ValueError(f"peak_per_hour must not be negative, not {self.peak_per_hour}")


def evening_rng(seed: int, day: date) -> random.Random:
    # The date is part of the seed: event ids are idempotency keys end to end, so two evenings
    # simulated with one seed must not share ids.
    return random.Random(f"hotline-simulator:{seed}:{day.isoformat()}")


_Step = tuple[EventType, float, dict[str, str | None]]
# Same-instant agent steps: a call's wrap-up ends before a pause starts, a pause ends before
# the next ring.
_STEP_ORDER = (
    AgentEventType.LOGGED_IN,
    AgentEventType.WRAP_UP_ENDED,
    AgentEventType.UNPAUSED,
    AgentEventType.PAUSED,
    AgentEventType.RING_NO_ANSWER,
    AgentEventType.WRAP_UP_STARTED,
    AgentEventType.LOGGED_OUT,
)


@dataclass(order=True)
class _Arrival:
    # Heap order: the time the call reaches the queue (or is offered, if it never does).
    key: float
    offered: float = field(compare=False)
    ivr_s: float = field(compare=False)
    caller: Caller = field(compare=False)
    attempt: int = field(compare=False, default=1)


@dataclass(frozen=True)
class SimulatedEvening:
    """One evening as the provider would report it: the calls' events and the agents'."""

    calls: list[CallEvent]
    agents: list[AgentEvent]


class _Evening:
    def __init__(self, day: date, config: SimulationConfig, rng: random.Random) -> None:
        self.day, self.config, self.rng = day, config, rng
        self.origin = evening.opening_instant(day)
        self.events: list[tuple[float, int, CallEvent]] = []
        shift = sorted(rng.sample(TEAM, config.agents))
        self.free_at: list[tuple[float, str]] = [(0.0, agent) for agent in shift]
        heapq.heapify(self.free_at)
        self.pending: list[_Arrival] = []
        # Nobody works on a closed day: every call hears the closed message.
        staffed = evening.is_opening_day(day)
        self.plans = shifts.plan_shift(shift, rng) if staffed else {}
        self.steps: list[shifts.Step] = []

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def arrival(self, offered: float, caller: Caller, attempt: int = 1) -> None:
        ivr_s = self.rng.uniform(10.0, 30.0)
        heapq.heappush(self.pending, _Arrival(offered + ivr_s, offered, ivr_s, caller, attempt))

    def run(self) -> SimulatedEvening:
        while self.pending:
            call = heapq.heappop(self.pending)
            if evening.within_hours(self.day, call.offered):
                self._in_hours(call)
            else:
                self._closed(call)
        self.events.sort(key=lambda item: (item[0], item[1]))
        calls = [event for _, _, event in self.events]
        return SimulatedEvening(calls, self._agent_events())

    def _agent(self, needed_at: float) -> tuple[float, str]:
        """The agent free first (and when), after any break that is due by then."""
        while True:
            free, agent = self.free_at[0]
            pause = shifts.take_due_pause(self.plans[agent], free, max(needed_at, free))
            if pause is None:
                return free, agent
            self.steps.extend(pause)
            heapq.heapreplace(self.free_at, (pause[1].at, agent))

    def _rings_out(self, call_id: str, start: float, gone: float) -> bool:
        """The first agent lets the call ring for the timeout: the agent is busy ringing and
        the call goes on to the next free one (if the caller is still there by then)."""
        ring_end = start + self.config.ring_timeout_s
        if ring_end > gone or self.rng.random() >= self.config.ring_no_answer_share:
            return False
        _, agent = self.free_at[0]
        self.steps.append(
            shifts.Step(ring_end, agent, AgentEventType.RING_NO_ANSWER, call_id=call_id)
        )
        heapq.heapreplace(self.free_at, (ring_end, agent))
        return True

    def _in_hours(self, call: _Arrival) -> None:
        rng, caller = self.rng, call.caller
        call_id = self._uuid()
        if rng.random() < IVR_HANGUP_SHARE:
            gone = call.offered + rng.uniform(1.0, call.ivr_s)
            keyed = Caller(caller.number, None, None, caller.topic)
            self._emit(
                call_id,
                keyed,
                QUEUE,
                [
                    (EventType.OFFERED, call.offered, {}),
                    (EventType.ABANDONED, gone, {}),
                    (EventType.ENDED, gone + rng.uniform(0.1, 1.0), {}),
                ],
            )
            return
        queued = call.key
        patience = (
            rng.uniform(0.5, 5.0)
            if rng.random() < SHORT_PATIENCE_SHARE
            else rng.expovariate(1.0 / self.config.mean_patience_s)
        )
        waiting_from = queued
        while True:
            free, agent = self._agent(waiting_from)
            if not self._rings_out(call_id, max(waiting_from, free), queued + patience):
                break
            waiting_from = max(waiting_from, free) + self.config.ring_timeout_s
        # Ringing the agent takes a few seconds: a caller may give up even with an agent free.
        answered = max(waiting_from, free) + rng.uniform(1.0, 6.0)
        steps: list[_Step] = [(EventType.OFFERED, call.offered, {}), (EventType.QUEUED, queued, {})]
        if answered - queued <= patience:
            heapq.heappop(self.free_at)
            talk = max(20.0, rng.lognormvariate(self._talk_mu(), self.config.talk_sigma))
            ended = answered + talk
            after_call_work = rng.uniform(15.0, 60.0)
            heapq.heappush(self.free_at, (ended + after_call_work, agent))
            self.steps += [
                shifts.Step(ended, agent, AgentEventType.WRAP_UP_STARTED, call_id=call_id),
                shifts.Step(
                    ended + after_call_work, agent, AgentEventType.WRAP_UP_ENDED, call_id=call_id
                ),
            ]
            code = choose_wrap_up_code(caller.topic, rng)
            steps += [
                (EventType.ANSWERED, answered, {"agent_id": agent}),
                (EventType.ENDED, ended, {"agent_id": agent, "wrap_up_code": code}),
            ]
        else:
            gone = queued + patience
            steps += [
                (EventType.ABANDONED, gone, {}),
                (EventType.ENDED, gone + rng.uniform(0.1, 1.0), {}),
            ]
            if patience > 20.0 and call.attempt < MAX_ATTEMPTS and rng.random() < RETRY_SHARE:
                self.arrival(gone + rng.uniform(60.0, 600.0), caller, call.attempt + 1)
        self._emit(call_id, caller, QUEUE, steps)

    def _closed(self, call: _Arrival) -> None:
        rng = self.rng
        call_id = self._uuid()
        message_s = rng.uniform(12.0, 20.0)
        steps: list[_Step] = [(EventType.OFFERED, call.offered, {})]
        if rng.random() < CLOSED_HANGUP_SHARE:
            gone = call.offered + rng.uniform(2.0, call.ivr_s + message_s)
            steps += [
                (EventType.ABANDONED, gone, {}),
                (EventType.ENDED, gone + rng.uniform(0.1, 1.0), {}),
            ]
        else:
            steps.append((EventType.ENDED, call.key + message_s, {}))
        self._emit(call_id, call.caller, None, steps)

    def _agent_events(self) -> list[AgentEvent]:
        """Log-ins, pauses still due (an idle agent takes its break), log-outs, then every
        step as an AgentEvent in time order."""
        steps = list(self.steps)
        free = {agent: t for t, agent in self.free_at}
        for agent, plan in self.plans.items():
            steps.append(shifts.Step(plan.login, agent, AgentEventType.LOGGED_IN))
            while True:
                pause = shifts.take_due_pause(plan, free[agent], evening.CLOSE_S)
                if pause is None:
                    break
                steps.extend(pause)
                free[agent] = pause[1].at
            leaves = max(evening.CLOSE_S, free[agent]) + self.rng.uniform(*shifts.LOGOUT_AFTER_S)
            steps.append(shifts.Step(leaves, agent, AgentEventType.LOGGED_OUT))
        order = {kind: n for n, kind in enumerate(_STEP_ORDER)}
        steps.sort(key=lambda s: (s.at, s.agent, order[s.type]))
        return [
            AgentEvent(
                schema_version=1,
                event_id=self._uuid(),
                agent_id=step.agent,
                type=step.type,
                occurred_at=evening.at(self.origin, step.at),
                queue=QUEUE,
                reason=step.reason,
                call_id=step.call_id,
            )
            for step in steps
        ]

    def _talk_mu(self) -> float:
        # Lognormal mean = exp(mu + sigma^2 / 2); choose mu so the mean is the configured AHT.
        return math.log(self.config.mean_talk_s) - self.config.talk_sigma**2 / 2

    def _emit(self, call_id: str, caller: Caller, queue: str | None, steps: list[_Step]) -> None:
        for order, (kind, t, extra) in enumerate(steps):
            event = CallEvent(
                schema_version=1,
                event_id=self._uuid(),
                call_id=call_id,
                type=kind,
                occurred_at=evening.at(self.origin, t),
                line=LINE,
                caller_number=caller.number,
                caller_postcode=caller.postcode,
                ivr_choice=caller.ivr_choice,
                agent_id=extra.get("agent_id"),
                wrap_up_code=extra.get("wrap_up_code"),
                queue=queue,
            )
            self.events.append((t, order, event))


def simulate(day: date, config: SimulationConfig, rng: random.Random) -> SimulatedEvening:
    """Every call event and agent event of one evening, each list sorted by `occurred_at`;
    one rng state, one result."""
    sim = _Evening(day, config, rng)
    for offered in evening.arrival_offsets(day, config.peak_per_hour, rng):
        sim.arrival(offered, draw_caller(config.pools, rng))
    return sim.run()


def simulate_evening(day: date, config: SimulationConfig, rng: random.Random) -> list[CallEvent]:
    """Every call event of one evening, sorted by `occurred_at` (the agents' side: simulate)."""
    return simulate(day, config, rng).calls
