"""The agents' side of a simulated evening: shifts, breaks, wrap-up, ring-no-answer (pure).

Who is on shift is drawn by the call model (`model.py`), which also decides which agent takes
which call. This module plans what the agents do besides: every agent on shift logs in 5-15
minutes before opening and takes one break of 10-15 minutes some time between 19:30 and 21:00
(a few also a short personal pause); the call model applies a pause when the agent is next
free after it is due, so nobody pauses during a call or its after-call work. After each
answered call the agent is in wrap-up for 15-60 s. Now and then a call rings an agent who does
not pick up (the provider's ring timeout, 15 s); the call then goes to the next free agent.
Everyone logs out a few minutes after closing, once their last call and its wrap-up are done.

The timeline becomes AgentEvent v1 in `agent_events()`, times as offsets (seconds) from the
evening's opening like the calls.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hotline_schemas import AgentEventType

BREAK_WINDOW_S = (60 * 60.0, 150 * 60.0)  # 19:30 to 21:00: the break becomes due in here
BREAK_S = (600.0, 900.0)
PERSONAL_PAUSE_SHARE = 0.3
PERSONAL_PAUSE_S = (120.0, 300.0)
LOGIN_BEFORE_OPEN_S = (300.0, 900.0)
LOGOUT_AFTER_S = (60.0, 600.0)


@dataclass(frozen=True)
class Pause:
    due: float  # offset from which the agent takes it at the next free moment
    seconds: float
    reason: str


@dataclass
class AgentPlan:
    agent: str
    login: float
    pauses: list[Pause] = field(default_factory=list)  # not yet taken, by due time


@dataclass(frozen=True)
class Step:
    """One change of one agent's state, at an offset from the opening."""

    at: float
    agent: str
    type: AgentEventType
    reason: str | None = None
    call_id: str | None = None


def plan_shift(agents: list[str], rng: random.Random) -> dict[str, AgentPlan]:
    plans: dict[str, AgentPlan] = {}
    for agent in agents:
        plan = AgentPlan(agent, login=-rng.uniform(*LOGIN_BEFORE_OPEN_S))
        plan.pauses.append(Pause(rng.uniform(*BREAK_WINDOW_S), rng.uniform(*BREAK_S), "break"))
        if rng.random() < PERSONAL_PAUSE_SHARE:
            due = rng.uniform(30 * 60.0, 200 * 60.0)
            plan.pauses.append(Pause(due, rng.uniform(*PERSONAL_PAUSE_S), "personal"))
        plan.pauses.sort(key=lambda p: p.due)
        plans[agent] = plan
    return plans


def take_due_pause(plan: AgentPlan, free: float, needed_at: float) -> tuple[Step, Step] | None:
    """The pause (start, end) the agent takes before being available at `needed_at`, if one
    is due by then: it starts when the agent is free and it is due, whichever is later.
    Removes it from the plan."""
    if not plan.pauses:
        return None
    pause = plan.pauses[0]
    start = max(free, pause.due)
    if start > needed_at:
        return None
    plan.pauses.pop(0)
    return (
        Step(start, plan.agent, AgentEventType.PAUSED, reason=pause.reason),
        Step(start + pause.seconds, plan.agent, AgentEventType.UNPAUSED, reason=pause.reason),
    )
