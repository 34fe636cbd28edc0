"""Agents on shift from agent events and answered calls: the one definition, in Python.

The ClickHouse views of migration 0014 (`agent_segments_v`, `agent_intervals_15m_v`,
`agent_intervals_30m_v`, `agent_evenings_v`) compute the same from `agent_events` and the call
records; tests hold the two to the same answers. The board computes the live state with
`state_at`.

An agent's time is cut into segments, each from an event to the agent's next event that ends
it (none: the agent's next local midnight, or "now" if that is earlier):

- logged in: `logged_in` until the next `logged_in` or `logged_out`;
- paused (with its reason, "unspecified" if none): `paused` until the next `paused`,
  `unpaused`, `logged_in` or `logged_out`;
- wrap-up (after-call work): `wrap_up_started` until the next `wrap_up_started`,
  `wrap_up_ended`, `logged_in` or `logged_out`;
- on a call: a call the agent answered, from `answered` to `ended` (no end: the cap above).

`ring_no_answer` changes no state (the call rang, the agent did not pick up).

At an instant an agent is off (in no logged-in segment), else on a call, else in wrap-up, else
paused, else available: the first that applies. Over an interval: logged-in, paused, wrap-up
and on-call seconds are the overlaps of the segments with it; available seconds are what is
left of an agent's logged-in time, never below 0; observed occupancy = (on-call + wrap-up) /
(on-call + wrap-up + available) (`kpi.occupancy`, `AgentFigures.occupancy`); agents logged
in on average = logged-in
seconds / the interval's length; agents logged in = distinct agents with logged-in time in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hotline_schemas import kpi
from hotline_schemas.events import AgentEventType

TIMEZONE = ZoneInfo("Europe/Copenhagen")
UNSPECIFIED = "unspecified"

_ENDS: dict[AgentEventType, frozenset[AgentEventType]] = {
    AgentEventType.LOGGED_IN: frozenset({AgentEventType.LOGGED_IN, AgentEventType.LOGGED_OUT}),
    AgentEventType.PAUSED: frozenset(
        {
            AgentEventType.PAUSED,
            AgentEventType.UNPAUSED,
            AgentEventType.LOGGED_IN,
            AgentEventType.LOGGED_OUT,
        }
    ),
    AgentEventType.WRAP_UP_STARTED: frozenset(
        {
            AgentEventType.WRAP_UP_STARTED,
            AgentEventType.WRAP_UP_ENDED,
            AgentEventType.LOGGED_IN,
            AgentEventType.LOGGED_OUT,
        }
    ),
}


class Kind(StrEnum):
    LOGGED_IN = "logged_in"
    PAUSED = "paused"
    WRAP_UP = "wrap_up"
    ON_CALL = "on_call"


_KIND_OF = {
    AgentEventType.LOGGED_IN: Kind.LOGGED_IN,
    AgentEventType.PAUSED: Kind.PAUSED,
    AgentEventType.WRAP_UP_STARTED: Kind.WRAP_UP,
}


class State(StrEnum):
    OFF = "off"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    AVAILABLE = "available"


@dataclass(frozen=True)
class AgentStep:
    """One agent event, as far as the states need it."""

    agent_id: str
    type: AgentEventType
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class CallSpan:
    """A call an agent answered: answered to ended (None: not ended)."""

    agent_id: str
    answered: datetime
    ended: datetime | None


@dataclass(frozen=True)
class Segment:
    agent_id: str
    kind: Kind
    reason: str  # the pause reason; "" for other kinds
    start: datetime
    end: datetime
    open: bool  # no event ended it: capped at the next local midnight or "now"


def next_local_midnight(t: datetime) -> datetime:
    day = t.astimezone(TIMEZONE).date() + timedelta(days=1)
    return datetime.combine(day, time(0), TIMEZONE).astimezone(UTC)


def _cap(start: datetime, now: datetime) -> datetime:
    return max(start, min(next_local_midnight(start), now))


def segments(steps: Iterable[AgentStep], calls: Iterable[CallSpan], now: datetime) -> list[Segment]:
    """Every segment of every agent (events after `now` are ignored)."""
    by_agent: dict[str, list[AgentStep]] = defaultdict(list)
    for step in steps:
        if step.at <= now:
            by_agent[step.agent_id].append(step)
    out = []
    for agent, own in by_agent.items():
        # Same-instant order: the SQL sorts by (time, type name) too.
        own.sort(key=lambda s: (s.at, s.type.value))
        for i, step in enumerate(own):
            kind = _KIND_OF.get(step.type)
            if kind is None:
                continue
            ends = _ENDS[step.type]
            later = [s for s in own[i + 1 :] if s.type in ends]
            end, is_open = (later[0].at, False) if later else (_cap(step.at, now), True)
            reason = (step.reason or UNSPECIFIED) if kind is Kind.PAUSED else ""
            out.append(Segment(agent, kind, reason, step.at, end, is_open))
    for call in calls:
        if call.answered > now:
            continue
        ended = call.ended if call.ended is not None and call.ended <= now else None
        end = ended if ended is not None else _cap(call.answered, now)
        out.append(Segment(call.agent_id, Kind.ON_CALL, "", call.answered, end, ended is None))
    return out


def state_at(segs: Sequence[Segment], at: datetime) -> dict[str, tuple[State, str]]:
    """Each agent's state at `at` (and the pause reason, "" otherwise); agents who are off and
    were seen in `segs` are listed as off."""
    inside: dict[str, dict[Kind, str]] = defaultdict(dict)
    for s in segs:
        inside.setdefault(s.agent_id, {})
        # An open segment capped at `at` ("now") still holds at `at`.
        if s.start <= at < s.end or (s.open and s.start <= at == s.end):
            inside[s.agent_id][s.kind] = s.reason
    out = {}
    for agent, kinds in inside.items():
        if Kind.LOGGED_IN not in kinds:
            out[agent] = (State.OFF, "")
        elif Kind.ON_CALL in kinds:
            out[agent] = (State.ON_CALL, "")
        elif Kind.WRAP_UP in kinds:
            out[agent] = (State.WRAP_UP, "")
        elif Kind.PAUSED in kinds:
            out[agent] = (State.PAUSED, kinds[Kind.PAUSED])
        else:
            out[agent] = (State.AVAILABLE, "")
    return out


@dataclass(frozen=True)
class AgentFigures:
    """What the agents did in one interval (or evening)."""

    agents_logged_in: int = 0
    logged_in_seconds: float = 0.0
    paused_seconds: float = 0.0
    wrap_up_seconds: float = 0.0
    on_call_seconds: float = 0.0
    available_seconds: float = 0.0
    paused_by_reason: tuple[tuple[str, float], ...] = ()

    def agents_logged_in_mean(self, seconds: float) -> float:
        return self.logged_in_seconds / seconds

    @property
    def occupancy(self) -> float | None:
        return kpi.occupancy(self.on_call_seconds, self.wrap_up_seconds, self.available_seconds)

    @property
    def agent_hours(self) -> float:
        return self.logged_in_seconds / 3600


def _overlap(s: Segment, start: datetime, end: datetime) -> float:
    return max(0.0, (min(s.end, end) - max(s.start, start)).total_seconds())


def figures(segs: Iterable[Segment], start: datetime, end: datetime) -> AgentFigures:
    """The agents' figures over [start, end)."""
    per_agent: dict[str, dict[Kind, float]] = defaultdict(lambda: defaultdict(float))
    reasons: dict[str, float] = defaultdict(float)
    for s in segs:
        seconds = _overlap(s, start, end)
        if seconds <= 0:
            continue
        per_agent[s.agent_id][s.kind] += seconds
        if s.kind is Kind.PAUSED:
            reasons[s.reason] += seconds
    logged = paused = wrap = call = available = 0.0
    agents = 0
    for kinds in per_agent.values():
        own = kinds[Kind.LOGGED_IN]
        agents += own > 0
        logged += own
        paused += kinds[Kind.PAUSED]
        wrap += kinds[Kind.WRAP_UP]
        call += kinds[Kind.ON_CALL]
        available += max(0.0, own - kinds[Kind.PAUSED] - kinds[Kind.WRAP_UP] - kinds[Kind.ON_CALL])
    return AgentFigures(
        agents, logged, paused, wrap, call, available, tuple(sorted(reasons.items()))
    )
