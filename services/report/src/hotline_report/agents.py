"""The staffing model next to the agents actually on shift (pure: no I/O).

For each half hour of the week: the agents the Erlang model needs (`agents`, on the phones,
and `rostered_agents`, with shrinkage) beside the agents the agent events show on shift, as
an average over the open evenings with agent events (`agent_intervals_30m_v`):

- logged in = logged-in seconds / 1800 (breaks included: compare with rostered);
- staffed = logged-in seconds minus paused seconds, / 1800 (on a call, in wrap-up or free:
  compare with the agents the model needs on the phones);
- observed occupancy = (on call + wrap-up) / (on call + wrap-up + available) (kpi.occupancy).

The verdict says where model and reality disagree:

- `understaffed`: staffed is at least `TOLERANCE` agents below the model's need;
- `overstaffed`: staffed is at least `OVER_TOLERANCE` agents above it;
- `model_optimistic`: staffed as the model needs (within the tolerances), yet the observed
  service level is more than `SL_MARGIN` under the target: the model's inputs (talk time,
  patience, wrap-up) paint the half hour easier than it was;
- `agrees`; `no_agent_events` when no open evening of that weekday has agent events then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from hotline_capacity.whatif import IntervalStaffing
from hotline_report.profile import SlotFigures
from hotline_schemas import kpi

TOLERANCE = 0.5  # agents
OVER_TOLERANCE = 1.0  # agents
SL_MARGIN = 0.05
HALF_HOUR_S = 1800.0


@dataclass(frozen=True)
class AgentIntervalRow:
    """One local date and half hour of `agent_intervals_30m_v`."""

    local_date: date
    slot_minute: int
    logged_in_seconds: float
    paused_seconds: float
    wrap_up_seconds: float
    on_call_seconds: float
    available_seconds: float


@dataclass(frozen=True)
class AgentEvening:
    """One local date of `agent_evenings_v`."""

    local_date: date
    agents_logged_in: int
    agent_hours: float
    paused_hours: float
    occupancy: float | None


@dataclass(frozen=True)
class AgentSlot:
    weekday: int  # Monday = 0
    start: time
    evenings: int  # open evenings of this weekday with agent events in this half hour
    logged_in_mean: float | None
    staffed_mean: float | None
    occupancy: float | None
    needed: int  # the model's agents on the phones (mean offered load)
    rostered: int  # the model's rostered agents
    model_occupancy: float
    service_level: float | None  # observed
    verdict: str

    @property
    def gap(self) -> float | None:
        """Staffed minus needed: negative is fewer on the phones than the model needs."""
        return None if self.staffed_mean is None else self.staffed_mean - self.needed


def _verdict(staffed: float | None, needed: int, service_level: float | None, target: float) -> str:
    if staffed is None:
        return "no_agent_events"
    if staffed <= needed - TOLERANCE:
        return "understaffed"
    if staffed >= needed + OVER_TOLERANCE:
        return "overstaffed"
    if service_level is not None and service_level < target - SL_MARGIN:
        return "model_optimistic"
    return "agrees"


def compare(
    rows: Iterable[AgentIntervalRow],
    open_dates: Iterable[date],
    staffing: Sequence[IntervalStaffing],
    profile: Sequence[SlotFigures],
    target: float,
) -> list[AgentSlot]:
    """One AgentSlot per half hour of the staffing table, in its order."""
    dates = set(open_dates)
    cells: dict[tuple[int, time], list[AgentIntervalRow]] = defaultdict(list)
    for row in rows:
        if row.local_date in dates:
            start = time(row.slot_minute // 60, row.slot_minute % 60)
            cells[(row.local_date.weekday(), start)].append(row)
    observed = {(s.weekday, s.start): s for s in profile}
    out = []
    for s in staffing:
        key = s.load.key
        own = cells.get(key, [])
        logged = sum(r.logged_in_seconds for r in own)
        paused = sum(r.paused_seconds for r in own)
        n = len(own)
        logged_mean = logged / n / HALF_HOUR_S if n else None
        staffed_mean = (logged - paused) / n / HALF_HOUR_S if n else None
        occupancy = kpi.occupancy(
            sum(r.on_call_seconds for r in own),
            sum(r.wrap_up_seconds for r in own),
            sum(r.available_seconds for r in own),
        )
        service_level = observed[key].service_level if key in observed else None
        out.append(
            AgentSlot(
                weekday=key[0],
                start=key[1],
                evenings=n,
                logged_in_mean=logged_mean,
                staffed_mean=staffed_mean,
                occupancy=occupancy,
                needed=s.mean.agents,
                rostered=s.mean.rostered_agents,
                model_occupancy=s.mean.occupancy,
                service_level=service_level,
                verdict=_verdict(staffed_mean, s.mean.agents, service_level, target),
            )
        )
    return out
