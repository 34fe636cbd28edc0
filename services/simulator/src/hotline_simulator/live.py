"""Live mode: move a simulated evening onto the wall clock, so a live board shows it happening.

Event times keep their order and proportions: the first event is stamped `anchor` and every
later one `elapsed / speed` after it. At speed 1 durations are true; at speed 10 an evening
plays in 21 minutes and every wait and talk time is ten times shorter. Opening hours are then
judged by enrich on the new times, so outside 18:30-22:00 the calls count as out of hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar, cast

from hotline_schemas import AgentEvent, CallEvent

# Call events, agent events, or both (sorted together by time).
E = TypeVar("E", bound=CallEvent | AgentEvent)


def retime(events: Sequence[E], anchor: datetime, speed: float) -> list[E]:
    if speed <= 0:
        raise ValueError(f"live mode needs a positive speed, not {speed}")
    if anchor.tzinfo is None:
        raise ValueError("anchor must be timezone-aware")
    if not events:
        return []
    first = events[0].occurred_at
    anchor = anchor.replace(microsecond=anchor.microsecond // 1000 * 1000)
    # model_copy keeps each event's class; mypy sees only the union of the bound.
    return [
        cast(
            E,
            event.model_copy(
                update={"occurred_at": _shifted(anchor, event.occurred_at - first, speed)}
            ),
        )
        for event in events
    ]


def _shifted(anchor: datetime, elapsed: timedelta, speed: float) -> datetime:
    return anchor + timedelta(milliseconds=round(elapsed.total_seconds() * 1000 / speed))
