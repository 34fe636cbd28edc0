"""Section 2, service delivered against the staff on the phones (pure).

Per half hour of the week: the observed service level, wait and abandons; the agents the agent
events show logged in and on the phones (logged in, not paused); and what Erlang A needs for
the target, with the inputs estimated from the range:

- **calls to staff for**: answered + abandoned + left the queue, the calls the service level
  counts (menu hang-ups and short abandons take no agent time);
- **handling time** = the half hour's mean talk time (the range's where it has fewer than
  `MIN_TALKED` calls) + **wrap-up** (after-call work) = the agent events' wrap-up seconds per
  answered call on evenings with agent events; without agent events `WRAP_UP_ASSUMED_S`,
  stated as an assumption;
- **shrinkage** = the share of the agents' logged-in time in the opening hours that they were
  paused (breaks, meetings), from the agent events; without them `SHRINKAGE_ASSUMED`;
- **caller patience** = the exponential maximum-likelihood mean: all the queue waiting of
  answered, abandoned and left-the-queue calls / abandons (answered and timed-out callers'
  waits are lower bounds of their patience). Erlang C (nobody hangs up) without abandons.

Why the service level was what it was: Erlang A is fed each half hour's own calls and the
agents who were on the phones in it (a fraction interpolated), and the share it expects
answered within the threshold is set beside the share that was.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from hotline_capacity.options import service_level_at
from hotline_capacity.staffing import StaffingResult, required_agents
from hotline_capacity.whatif import IntervalLoad
from hotline_report.pilot.data import IntervalRow
from hotline_report.pilot.grid import HALF_HOUR_S, Evening
from hotline_report.pilot.summary import counts_of
from hotline_report.profile import percentile
from hotline_schemas import kpi

__all__ = [
    "DEFAULT_AHT_S",
    "MIN_TALKED",
    "SHRINKAGE_ASSUMED",
    "WRAP_UP_ASSUMED_S",
    "Assumptions",
    "ServiceOptions",
    "ServiceSection",
    "SlotService",
    "arrivals",
    "assess",
]

# Without agent events: a 15-minute break and a few short pauses in a 3.5-hour evening is
# about a seventh of the logged-in time; a minute to note each call afterwards. Both are
# stated in the report as assumptions and can be set (--shrinkage, --wrap-up-seconds).
SHRINKAGE_ASSUMED = 0.15
WRAP_UP_ASSUMED_S = 60.0
DEFAULT_AHT_S = 300.0  # only when the range has no talk time at all
MIN_TALKED = 10  # a half hour with fewer answered calls uses the range's mean talk time


def arrivals(cell: IntervalRow) -> int:
    """The calls the service level counts: answered, abandoned and left the queue."""
    return cell.answered + cell.abandoned + cell.left_queue


@dataclass(frozen=True)
class ServiceOptions:
    target: float = kpi.SERVICE_LEVEL_TARGET
    answer_within_seconds: float = kpi.SERVICE_LEVEL_S
    max_occupancy: float = 0.85
    shrinkage: float | None = None  # None: from agent events, else assumed
    wrap_up_seconds: float | None = None  # None: from agent events, else assumed
    patience_seconds: float | None = None  # None: estimated; 0: Erlang C


@dataclass(frozen=True)
class Assumptions:
    talk_seconds: float
    talk_source: str  # observed | assumed
    wrap_up_seconds: float
    wrap_up_source: str  # agent_events | assumed | given
    shrinkage: float
    shrinkage_source: str  # agent_events | assumed | given
    patience_seconds: float | None  # None: Erlang C
    patience_source: str  # estimated | given | erlang_c | no_abandons
    patience_abandons: int
    evenings: int
    evenings_with_agents: int
    target: float
    answer_within_seconds: float
    max_occupancy: float

    @property
    def model(self) -> str:
        return "erlang_c" if self.patience_seconds is None else "erlang_a"


@dataclass(frozen=True)
class SlotService:
    weekday: int  # Monday = 0
    slot_minute: int
    evenings: int
    offered_mean: float
    arrivals_mean: float
    arrivals_p90: float
    counts: kpi.Counts  # observed over the evenings
    handle_seconds: float  # talk + wrap-up used by the model
    agent_evenings: int
    logged_in_mean: float | None  # agents, averaged over evenings with agent events
    staffed_mean: float | None  # logged in and not paused
    occupancy: float | None  # observed (kpi.occupancy)
    needed: StaffingResult  # Erlang for the mean arrivals, rostered with the shrinkage
    model_service_level: float | None  # Erlang at the staffed mean

    @property
    def service_level(self) -> float | None:
        return kpi.service_level(self.counts)

    @property
    def average_wait(self) -> float | None:
        return kpi.average_speed_of_answer(self.counts)

    @property
    def abandonment_rate(self) -> float | None:
        return kpi.abandonment_rate(self.counts)

    @property
    def gap(self) -> float | None:
        """Agents on the phones minus those the model needs (negative: too few)."""
        return None if self.staffed_mean is None else self.staffed_mean - self.needed.agents


@dataclass(frozen=True)
class ServiceSection:
    assumptions: Assumptions
    slots: list[SlotService]
    profile: list[IntervalLoad]  # the average week, for the options
    # Over the half hours of evenings with agent events:
    observed_service_level: float | None
    model_service_level: float | None  # Erlang fed each half hour's calls and staff
    agent_hours_per_week: float | None  # logged in during opening hours, an average week
    overhead_hours_per_week: float | None  # logged in outside opening hours
    needed_hours_per_week: float  # rostered by the model for an average week
    arrival_share: float  # arrivals / offered over the range (forecasts are of offered)


def _estimates(evenings: Sequence[Evening], options: ServiceOptions) -> Assumptions:
    cells = [c for e in evenings for c in e.cells]
    talked = sum(c.talked for c in cells)
    talk = math.fsum(c.talk_seconds_sum for c in cells) / talked if talked else None
    staffed = [e for e in evenings if e.has_agent_events]
    answered_there = sum(c.answered for e in staffed for c in e.cells)
    wrap_seconds = math.fsum(r.wrap_up_seconds for e in staffed for r in e.agent_rows)
    if options.wrap_up_seconds is not None:
        wrap, wrap_source = options.wrap_up_seconds, "given"
    elif staffed and answered_there:
        wrap, wrap_source = wrap_seconds / answered_there, "agent_events"
    else:
        wrap, wrap_source = WRAP_UP_ASSUMED_S, "assumed"
    open_logged = math.fsum(c.logged_in_seconds for e in staffed for c in e.cells)
    open_paused = math.fsum(c.paused_seconds for e in staffed for c in e.cells)
    if options.shrinkage is not None:
        shrinkage, shrink_source = options.shrinkage, "given"
    elif open_logged > 0:
        shrinkage, shrink_source = open_paused / open_logged, "agent_events"
    else:
        shrinkage, shrink_source = SHRINKAGE_ASSUMED, "assumed"
    abandons = sum(c.abandoned for c in cells)
    waited = math.fsum(c.waited_seconds_sum for c in cells)
    patience: float | None
    if options.patience_seconds is not None:
        patience = options.patience_seconds or None
        patience_source = "given" if patience else "erlang_c"
    elif abandons and waited > 0:
        patience, patience_source = waited / abandons, "estimated"
    else:
        patience, patience_source = None, "no_abandons"
    return Assumptions(
        talk_seconds=talk or DEFAULT_AHT_S,
        talk_source="observed" if talk else "assumed",
        wrap_up_seconds=wrap,
        wrap_up_source=wrap_source,
        shrinkage=shrinkage,
        shrinkage_source=shrink_source,
        patience_seconds=patience,
        patience_source=patience_source,
        patience_abandons=abandons,
        evenings=len(evenings),
        evenings_with_agents=len(staffed),
        target=options.target,
        answer_within_seconds=options.answer_within_seconds,
        max_occupancy=options.max_occupancy,
    )


def _need(calls: float, handle: float, a: Assumptions) -> StaffingResult:
    return required_agents(
        calls=calls,
        interval_minutes=30,
        aht_seconds=handle,
        answer_within_seconds=a.answer_within_seconds,
        target_service_level=a.target,
        max_occupancy=a.max_occupancy,
        shrinkage=a.shrinkage,
        patience_seconds=a.patience_seconds,
    )


def _level(agents: float, calls: float, handle: float, a: Assumptions) -> float:
    return service_level_at(
        agents,
        calls,
        interval_minutes=30,
        aht_seconds=handle,
        answer_within_seconds=a.answer_within_seconds,
        patience_seconds=a.patience_seconds,
    )


def _per_weekday_hours(evenings: Sequence[Evening], seconds: dict[date, float]) -> float:
    """Mean hours per evening of each weekday, summed over the weekdays: an average week."""
    by_weekday: dict[int, list[float]] = defaultdict(list)
    for e in evenings:
        by_weekday[e.weekday].append(seconds[e.local_date] / 3600)
    return math.fsum(statistics.fmean(v) for v in by_weekday.values())


def assess(evenings: Sequence[Evening], options: ServiceOptions) -> ServiceSection:
    a = _estimates(evenings, options)
    cells_by_slot: dict[tuple[int, int], list[tuple[Evening, IntervalRow]]] = defaultdict(list)
    for e in evenings:
        for c in e.cells:
            cells_by_slot[(e.weekday, c.slot_minute)].append((e, c))
    slots: list[SlotService] = []
    profile: list[IntervalLoad] = []
    handle_of: dict[tuple[int, int], float] = {}
    for key, pairs in sorted(cells_by_slot.items()):
        cells = [c for _, c in pairs]
        talked = sum(c.talked for c in cells)
        talk = (
            math.fsum(c.talk_seconds_sum for c in cells) / talked
            if talked >= MIN_TALKED
            else a.talk_seconds
        )
        handle = talk + a.wrap_up_seconds
        handle_of[key] = handle
        counts = [float(arrivals(c)) for c in cells]
        mean = statistics.fmean(counts)
        staffed_cells = [c for e, c in pairs if e.has_agent_events]
        n = len(staffed_cells)
        logged = math.fsum(c.logged_in_seconds for c in staffed_cells)
        paused = math.fsum(c.paused_seconds for c in staffed_cells)
        staffed_mean = (logged - paused) / n / HALF_HOUR_S if n else None
        need = _need(mean, handle, a)
        slots.append(
            SlotService(
                weekday=key[0],
                slot_minute=key[1],
                evenings=len(cells),
                offered_mean=statistics.fmean(c.offered for c in cells),
                arrivals_mean=mean,
                arrivals_p90=percentile(counts, 0.9),
                counts=counts_of(cells),
                handle_seconds=handle,
                agent_evenings=n,
                logged_in_mean=logged / n / HALF_HOUR_S if n else None,
                staffed_mean=staffed_mean,
                occupancy=kpi.occupancy(
                    math.fsum(c.on_call_seconds for c in staffed_cells),
                    math.fsum(c.wrap_up_seconds for c in staffed_cells),
                    math.fsum(c.available_seconds for c in staffed_cells),
                )
                if n
                else None,
                needed=need,
                model_service_level=_level(staffed_mean, mean, handle, a)
                if staffed_mean is not None
                else None,
            )
        )
        profile.append(
            IntervalLoad(
                weekday=key[0],
                start=_time(key[1]),
                offered_mean=mean,
                offered_p90=percentile(counts, 0.9),
                aht_seconds=handle,
                patience_seconds=a.patience_seconds,
            )
        )
    # Each half hour of an evening with agent events: its own calls and staff.
    pairs_model: list[tuple[float, float]] = []
    observed_cells = []
    logged_open: dict[date, float] = defaultdict(float)
    logged_outside: dict[date, float] = defaultdict(float)
    for e in evenings:
        if not e.has_agent_events:
            continue
        open_slots = {c.slot_minute for c in e.cells}
        for c in e.cells:
            calls = arrivals(c)
            staffed = max(0.0, (c.logged_in_seconds - c.paused_seconds) / HALF_HOUR_S)
            if calls:
                level = _level(staffed, calls, handle_of[(e.weekday, c.slot_minute)], a)
                pairs_model.append((calls, level))
            observed_cells.append(c)
            logged_open[e.local_date] += c.logged_in_seconds
        for r in e.agent_rows:
            if r.slot_minute not in open_slots:
                logged_outside[r.local_date] += r.logged_in_seconds
    staffed_evenings = [e for e in evenings if e.has_agent_events]
    total_calls = math.fsum(x for x, _ in pairs_model)
    offered = sum(c.offered for e in evenings for c in e.cells)
    arrived = sum(arrivals(c) for e in evenings for c in e.cells)
    return ServiceSection(
        assumptions=a,
        slots=slots,
        profile=profile,
        observed_service_level=kpi.service_level(counts_of(observed_cells)),
        model_service_level=(
            math.fsum(x * y for x, y in pairs_model) / total_calls if total_calls else None
        ),
        agent_hours_per_week=(
            _per_weekday_hours(staffed_evenings, logged_open) if staffed_evenings else None
        ),
        overhead_hours_per_week=(
            _per_weekday_hours(staffed_evenings, logged_outside) if staffed_evenings else None
        ),
        needed_hours_per_week=sum(s.needed.rostered_agents for s in slots) * 0.5,
        arrival_share=arrived / offered if offered else 1.0,
    )


def _time(minute: int) -> time:
    return time(minute // 60, minute % 60)
