"""Section 5, data quality (pure): where calls came from, how they were stored, what is
missing, and the dead letters of the range.

Dead letters live in Kafka, not in ClickHouse: `deadletters.read_dead_letters` reads them (or
says why it could not); `count_letters` here counts them per topic: every letter on the topic,
those rejected within the range (`rejected_at`, local date), and those whose rejected event
itself falls within the range (the payload's `occurred_at`, where the payload is a JSON event;
history imported later is rejected long after its events happened).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from hotline_report.pilot.data import DayRow
from hotline_report.pilot.grid import Evening
from hotline_schemas import DeadLetter

__all__ = ["DeadLetterCount", "DeadLetters", "Quality", "count_letters", "quality"]

TZ = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class DeadLetterCount:
    topic: str
    total: int  # every record on the topic
    rejected_in_range: int  # rejected_at within the range
    events_in_range: int  # the rejected event's own time within the range
    without_event_time: int  # no readable event time (not JSON, or none given)
    not_dead_letters: int  # records that are not DeadLetter JSON at all


@dataclass(frozen=True)
class DeadLetters:
    available: bool
    reason: str  # why not available, or ""
    topics: list[DeadLetterCount]


def _local(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def _event_time(payload: str) -> datetime | None:
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("occurred_at"), str):
        return None
    try:
        moment = datetime.fromisoformat(body["occurred_at"].replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def count_letters(
    topic: str, records: Iterable[bytes | None], first: date, last: date
) -> DeadLetterCount:
    total = rejected = about = timeless = foreign = 0
    for value in records:
        total += 1
        try:
            letter = DeadLetter.model_validate_json(value or b"")
        except ValidationError:
            foreign += 1
            continue
        if first <= _local(letter.rejected_at) <= last:
            rejected += 1
        when = _event_time(letter.payload)
        if when is None:
            timeless += 1
        elif first <= _local(when) <= last:
            about += 1
    return DeadLetterCount(topic, total, rejected, about, timeless, foreign)


@dataclass(frozen=True)
class Quality:
    calls: int  # every call offered, within and outside the opening hours
    within_hours: int
    closed_calls: int
    no_postcode: int
    unknown_postcode: int
    outside_catchment: int
    catchment: int
    imported: int
    live: int
    withheld: int  # within hours
    no_agent: int  # within hours, closed by the pipeline's time-out
    menu_hangups: int
    short_abandoned: int
    scheduled: list[date]  # open by the schedule within the range
    evenings_with_calls: int
    missing_evenings: list[date]  # open by the schedule, no call within the hours
    unscheduled_evenings: list[date]  # calls within the hours on a date the schedule closes
    evenings_with_agents: int
    dead_letters: DeadLetters


def quality(
    days: Sequence[DayRow],
    evenings: Sequence[Evening],
    scheduled: Sequence[date],
    dead_letters: DeadLetters,
) -> Quality:
    with_calls = {e.local_date for e in evenings}
    planned = set(scheduled)
    return Quality(
        calls=sum(d.calls for d in days),
        within_hours=sum(d.offered for d in days),
        closed_calls=sum(d.closed_calls for d in days),
        no_postcode=sum(d.no_postcode for d in days),
        unknown_postcode=sum(d.unknown_postcode for d in days),
        outside_catchment=sum(d.outside_catchment for d in days),
        catchment=sum(d.catchment for d in days),
        imported=sum(d.imported for d in days),
        live=sum(d.live for d in days),
        withheld=sum(d.withheld for d in days),
        no_agent=sum(d.no_agent for d in days),
        menu_hangups=sum(d.menu_hangups for d in days),
        short_abandoned=sum(d.short_abandoned for d in days),
        scheduled=sorted(planned),
        evenings_with_calls=len(with_calls),
        missing_evenings=sorted(planned - with_calls),
        unscheduled_evenings=sorted(with_calls - planned),
        evenings_with_agents=sum(1 for e in evenings if e.has_agent_events),
        dead_letters=dead_letters,
    )
