"""Benchmark input: simulated call events, as models and as the raw topic's JSON bytes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from hotline_schemas import CallEvent
from hotline_simulator.model import SimulationConfig, evening_rng, simulate_evening

# A busy synthetic evening (about 8 times the real peak, the whole 19-person team on shift), so
# a dozen evenings give tens of thousands of events with a realistic mix of types and codes.
_CONFIG = SimulationConfig(peak_per_hour=400.0, agents=19)
_FIRST_EVENING = date(2013, 1, 6)  # a Sunday during the pilot


def simulated(count: int, seed: int = 1) -> list[CallEvent]:
    """`count` events from consecutive simulated evenings (event ids unique across them)."""
    events: list[CallEvent] = []
    for n in itertools.count():
        day = _FIRST_EVENING + timedelta(days=n)
        events.extend(simulate_evening(day, _CONFIG, evening_rng(seed, day)))
        if len(events) >= count:
            return events[:count]
    raise AssertionError("unreachable")


def payload(event: CallEvent) -> bytes:
    return event.model_dump_json(exclude_none=False).encode()


def restamped(
    events: list[CallEvent], prefix: str, now: datetime | None = None
) -> Iterator[CallEvent]:
    """The events with fresh ids `prefix-<n>` and, if given, `occurred_at = now`."""
    for n, event in enumerate(events):
        update: dict[str, object] = {"event_id": f"{prefix}-{n}"}
        if now is not None:
            update["occurred_at"] = now
        yield event.model_copy(update=update)


def utc_now() -> datetime:
    return datetime.now(UTC)
