"""Two years of simulated history at ten times the pilot's volume, as the rows the pipeline
stores: `call_events`, `call_records` and `agent_events`, written as TSV files per month.

The rows are built by the pipeline's own pure code, so they are what the sink would insert:
the simulator's model (`hotline_simulator.model.simulate`) -> enrich's `enrichment.enrich`
-> the sink's `rows.to_row`; each call's enriched events folded into a `CallState` and
`call_records.build_record` (what enrich emits once the call has ended) -> `record_rows.to_row`;
the agents' events -> `agent_rows.to_row`. Only the transport (Kafka, Faust, the sink's
consumer) is skipped: the figures this feeds are query times, not ingestion.

Ten times the pilot is ten copies of the pilot's simulated line per evening, each at the
simulator's defaults (peak 50 calls/hour, 5 agents) with its own seed and its own agents, not
one line at ten times the peak: the model's team has at most 19 agents, so a single line at
500 calls/hour would overflow its queue and change the mix of outcomes (more abandons, more
retries) the queries see. Ten lines keep the pilot's mix, with 50 agents on shift.

Days run from the pilot's first day for `days` days, open and closed alike (callers ring on
closed days too and hear the closed message), under the pilot's opening schedule with its end
date removed (the hotline kept open: Sun-Thu 18:30-22:00; holidays after 2013 are not listed,
so they are open).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hotline_enrich.call_records import RecordConfig, build_record
from hotline_enrich.call_state import CallState
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_schemas import AgentEvent, CallEvent, EnrichedEvent
from hotline_schemas.hours import OpeningSchedule, load_schedule
from hotline_schemas.reference_data import PostcodeTable
from hotline_schemas.taxonomy import load_taxonomy
from hotline_simulator import evening
from hotline_simulator.model import SimulationConfig, evening_rng, simulate
from hotline_sink import agent_rows, record_rows, rows

PILOT_FIRST_DAY = date(2012, 12, 3)
TABLES = ("call_events", "call_records", "agent_events")
COLUMNS: dict[str, tuple[str, ...]] = {
    "call_events": rows.COLUMNS,
    "call_records": record_rows.COLUMNS,
    "agent_events": agent_rows.COLUMNS,
}
_SECRET = b"benchmark-secret-not-for-real-numbers"
# The sink stamps enriched_at with enrich's wall clock; history is stamped as if it had been
# processed live, this long after each event.
_PROCESSING_DELAY = timedelta(seconds=1)


@dataclass(frozen=True)
class HistorySpec:
    """What to generate: `days` days from `first_day`, `lines` copies of the pilot's line."""

    days: int = 731
    lines: int = 10
    first_day: date = PILOT_FIRST_DAY
    seed: int = 1

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)


@dataclass
class Counts:
    """What one chunk (or the whole history) holds."""

    days: int = 0
    opening_days: int = 0
    calls: int = 0
    call_events: int = 0
    call_records: int = 0
    agent_events: int = 0
    # calls per local day, for picking a busy evening to time the board on
    calls_by_day: dict[str, int] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for name in ("days", "opening_days", "calls", "call_events", "call_records"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.agent_events += other.agent_events  # (mypy: setattr loses the field type)
        self.calls_by_day.update(other.calls_by_day)

    def rows(self) -> int:
        return self.call_events + self.call_records + self.agent_events


def schedule() -> OpeningSchedule:
    """The pilot's schedule, kept open after its last day (see the module docstring)."""
    return load_schedule(None).model_copy(update={"last_day": None})


def chunks(spec: HistorySpec) -> list[list[date]]:
    """The days by calendar month: a chunk's events fall in one monthly partition (an
    evening's events are within its UTC day)."""
    out: dict[tuple[int, int], list[date]] = defaultdict(list)
    for n in range(spec.days):
        day = spec.first_day + timedelta(days=n)
        out[(day.year, day.month)].append(day)
    return [out[key] for key in sorted(out)]


def expected_pilot_calls(spec: HistorySpec, peak_per_hour: float | None = None) -> float:
    """First attempts the simulator's arrival process expects on the days of `spec` for ONE
    line at `peak_per_hour` (default: the simulator's), from its profile and weekday factors:
    the analytic volume of the pilot, before retries."""
    peak = SimulationConfig().peak_per_hour if peak_per_hour is None else peak_per_hour
    sched = schedule()
    profile_hours = _profile_area() / 3600.0
    total = 0.0
    for n in range(spec.days):
        day = spec.first_day + timedelta(days=n)
        open_day = evening.is_opening_day(day, sched)
        factor = evening.WEEKDAY_FACTOR[day.weekday()] if open_day else evening.CLOSED_DAY_FACTOR
        total += peak * factor * profile_hours
    return total


def _profile_area() -> float:
    """Integral of the arrival profile over its window, in peak-seconds (trapezoids)."""
    area = 0.0
    for (m0, f0), (m1, f1) in zip(evening.PROFILE, evening.PROFILE[1:], strict=False):
        area += (m1 - m0) * 60.0 * (f0 + f1) / 2
    return area


# ---- one chunk, in a worker process ----------------------------------------------------------


def _renamed(agent: str | None, line: int) -> str | None:
    # Each line has its own team: the same simulated names on ten lines would be one agent
    # logged in ten times.
    return None if agent is None or line == 0 else f"{agent}-l{line}"


def _line_events(
    day: date, line: int, spec: HistorySpec, config: SimulationConfig
) -> tuple[list[CallEvent], list[AgentEvent]]:
    sim = simulate(day, config, evening_rng(spec.seed * 1000 + line, day))
    if line == 0:
        return sim.calls, sim.agents
    calls = [
        e if e.agent_id is None else e.model_copy(update={"agent_id": _renamed(e.agent_id, line)})
        for e in sim.calls
    ]
    agents = [e.model_copy(update={"agent_id": _renamed(e.agent_id, line)}) for e in sim.agents]
    return calls, agents


def records_of(enriched: Iterable[EnrichedEvent], config: RecordConfig) -> list[Any]:
    """Each call's record as enrich emits it once the call has ended (or timed out): its
    events folded into a CallState in arrival (time) order, then `build_record`."""
    by_call: dict[str, list[EnrichedEvent]] = defaultdict(list)
    for event in enriched:
        by_call[event.call_id].append(event)
    out = []
    for call_id, events in by_call.items():
        state = CallState(call_id=call_id)
        for event in events:
            state = state.add(event)
        last = max(e.occurred_at for e in events)
        record = build_record(state, config, last + _PROCESSING_DELAY)
        if record is None:  # no end event: enrich closes it at the time-out
            state = state.model_copy(update={"timed_out": True})
            timeout = timedelta(seconds=config.call_timeout_seconds)
            record = build_record(state, config, last + timeout)
        assert record is not None
        out.append(record)
    return out


def _tsv_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "nan"
    if isinstance(value, list):
        return "[" + ",".join(str(int(v)) for v in value) + "]"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")).replace(
            "\r", "\\r"
        )
    return text


def tsv(rows_: Iterable[Sequence[Any]]) -> bytes:
    """Rows as ClickHouse TabSeparated (NULL as \\N, arrays as [a,b], DateTime as Unix
    seconds, which ClickHouse parses in text formats)."""
    return "".join("\t".join(map(_tsv_value, row)) + "\n" for row in rows_).encode()


def generate_chunk(days: list[date], spec: HistorySpec, out_dir: Path, index: int) -> Counts:
    """Simulate, enrich and fold the chunk's days; write `<table>_<index>.tsv` files."""
    sched = schedule()
    config = SimulationConfig(schedule=sched)
    ctx = EnrichmentContext(PostcodeTable.load(), sched, load_taxonomy(None), _SECRET)
    record_config = RecordConfig()
    counts = Counts(days=len(days))
    event_rows: list[tuple[Any, ...]] = []
    agent_rows_: list[tuple[Any, ...]] = []
    record_rows_: list[tuple[Any, ...]] = []
    for day in days:
        counts.opening_days += evening.is_opening_day(day, sched)
        day_calls = 0
        for line in range(spec.lines):
            calls, agents = _line_events(day, line, spec, config)
            enriched = [enrich(e, ctx, e.occurred_at + _PROCESSING_DELAY) for e in calls]
            records = records_of(enriched, record_config)
            event_rows.extend(rows.to_row(e) for e in enriched)
            record_rows_.extend(record_rows.to_row(r) for r in records)
            agent_rows_.extend(agent_rows.to_row(a) for a in agents)
            day_calls += len(records)
        counts.calls_by_day[day.isoformat()] = day_calls
        counts.calls += day_calls
    counts.call_events, counts.call_records = len(event_rows), len(record_rows_)
    counts.agent_events = len(agent_rows_)
    for table, table_rows in (
        ("call_events", event_rows),
        ("call_records", record_rows_),
        ("agent_events", agent_rows_),
    ):
        (out_dir / f"{table}_{index:03d}.tsv").write_bytes(tsv(table_rows))
    return counts


def _run_chunk(args: tuple[list[date], HistorySpec, Path, int]) -> Counts:
    return generate_chunk(*args)


def generate(spec: HistorySpec, out_dir: Path, workers: int = 2) -> Counts:
    """Every chunk into `out_dir` (worker processes: the simulation is CPU-bound Python)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(days, spec, out_dir, n) for n, days in enumerate(chunks(spec))]
    total = Counts()
    if workers <= 1:
        results: Iterator[Counts] = map(_run_chunk, jobs)
        for counts in results:
            total.add(counts)
        return total
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for counts in pool.map(_run_chunk, jobs):
            total.add(counts)
    return total


def files(out_dir: Path, table: str) -> list[Path]:
    return sorted(out_dir.glob(f"{table}_*.tsv"))


def busiest_day(counts: Counts) -> date:
    day, _ = max(counts.calls_by_day.items(), key=lambda kv: (kv[1], kv[0]))
    return date.fromisoformat(day)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A local (Europe/Copenhagen) time on `day`, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=evening.TZ).astimezone(UTC)
