"""Enrichment: a pure function of (event, reference data, configuration)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from hotline_enrich.hours import OpeningSchedule, is_open
from hotline_enrich.pseudonym import caller_key
from hotline_enrich.reference import PostcodeTable
from hotline_enrich.taxonomy import Taxonomy, classify
from hotline_schemas import CallEvent, CallEventV2, EnrichedEvent, Origin
from hotline_schemas.privacy import KeyRing


@dataclass(frozen=True)
class EnrichmentContext:
    """Everything enrichment reads besides the event; built once at start-up."""

    postcodes: PostcodeTable
    schedule: OpeningSchedule
    taxonomy: Taxonomy
    secret: bytes = field(repr=False)
    # Seals the originals of dead letters (hotline_schemas.privacy); None: redacted text only.
    dead_letter_keys: KeyRing | None = field(default=None, repr=False)
    _open_minutes: dict[int, bool] = field(default_factory=dict, repr=False, compare=False)

    def open_at(self, instant: datetime) -> bool:
        """`is_open`, remembered per UTC minute when every opening boundary is a whole minute
        (daylight-saving shifts are whole hours, so the answer cannot change within a minute);
        the time-zone conversion was a tenth of the enrichment's cost."""
        if not self._minute_aligned:
            return is_open(self.schedule, instant)
        minute = int(instant.timestamp()) // 60
        known = self._open_minutes.get(minute)
        if known is None:
            if len(self._open_minutes) > _MAX_MINUTES:
                self._open_minutes.clear()
            known = self._open_minutes[minute] = is_open(self.schedule, instant)
        return known

    @functools.cached_property
    def _minute_aligned(self) -> bool:
        return _minute_aligned(self.schedule)


_MAX_MINUTES = 100_000  # about 70 days of distinct minutes; plenty for a replay's batch


def _minute_aligned(schedule: OpeningSchedule) -> bool:
    weeks = [schedule.weekly, *(p.weekly for p in schedule.periods)]
    return all(
        t.second == 0 and t.microsecond == 0
        for weekly in weeks
        for intervals in weekly.values()
        for interval in intervals
        for t in (interval.start, interval.end)
    )


def enrich(
    raw: CallEvent | CallEventV2, ctx: EnrichmentContext, enriched_at: datetime
) -> EnrichedEvent:
    """The enriched form of one event.

    `within_hours` is decided at this event's `occurred_at`; a call's own decision (at its
    `offered` time) belongs to the call record.

    Built with `model_construct`: every input is already validated (the event by the
    contract, the rest is reference data), and validating again cost a tenth of enrich's CPU.
    The sink validates what it reads, so a bug here becomes a dead letter, not a bad row.
    """
    event = raw
    place = ctx.postcodes.lookup(event.caller_postcode)
    topic = classify(ctx.taxonomy, event.wrap_up_code, event.ivr_choice)
    v2 = raw if isinstance(raw, CallEventV2) else None
    return EnrichedEvent.model_construct(
        schema_version=1,
        event_id=event.event_id,
        call_id=event.call_id,
        type=event.type,
        occurred_at=event.occurred_at,
        line=event.line,
        caller_key=caller_key(ctx.secret, event.caller_number),
        caller_postcode=event.caller_postcode,
        postcode_known=place.known,
        municipality_code=place.code,
        municipality_name=place.name,
        municipality_candidates=list(place.candidates),
        municipality_ambiguous=place.ambiguous,
        in_catchment=place.in_catchment,
        ivr_choice=event.ivr_choice,
        wrap_up_code=event.wrap_up_code,
        agent_id=event.agent_id,
        queue=event.queue,
        topic=topic.topic,
        topic_source=topic.source,
        in_scope=topic.in_scope,
        within_hours=ctx.open_at(event.occurred_at),
        enriched_at=enriched_at,
        source_version=raw.schema_version,
        end_reason=None if v2 is None else v2.end_reason,
        origin=Origin.LIVE if v2 is None else v2.origin,
        source=None if v2 is None else v2.source,
    )
