"""Kafka message bytes -> EnrichedEvent -> a `call_events` row (pure functions).

Timestamps become integer Unix seconds (clickhouse-driver passes ints to DateTime columns as
they are: no time-zone guessing) plus the millisecond part in `occurred_at_ms`, because
ClickHouse 18.16 has no DateTime64. Booleans become 0/1 for the UInt8 columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from hotline_schemas import EnrichedEvent, Origin
from hotline_schemas.validation import error_items
from hotline_schemas.validation import reason as validation_reason
from hotline_sink.templates import identifier

TABLE = "call_events"

COLUMNS: tuple[str, ...] = (
    "event_id",
    "call_id",
    "type",
    "occurred_at",
    "occurred_at_ms",
    "schema_version",
    "line",
    "caller_key",
    "caller_postcode",
    "postcode_known",
    "municipality_code",
    "municipality_name",
    "municipality_candidates",
    "municipality_ambiguous",
    "in_catchment",
    "ivr_choice",
    "wrap_up_code",
    "agent_id",
    "queue",
    "topic",
    "topic_source",
    "in_scope",
    "within_hours",
    "enriched_at",
)

Row = tuple[Any, ...]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Rejected:
    """Why a message could not become a row: the dead letter's reason and error items."""

    reason: str
    errors: list[dict[str, str]] = field(default_factory=list)


def decode(value: bytes | None) -> EnrichedEvent | Rejected:
    if value is None:
        return Rejected("empty message (tombstone)")
    try:
        return EnrichedEvent.model_validate_json(value)
    except ValidationError as exc:
        return Rejected(f"not a valid EnrichedEvent: {validation_reason(exc)}", error_items(exc))


def utc_seconds(moment: datetime) -> tuple[int, int]:
    """(Unix seconds, milliseconds), exact integer arithmetic; a naive datetime is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds, rest = divmod(moment - _EPOCH, _SECOND)
    return seconds, rest // _MILLISECOND


def to_row(event: EnrichedEvent) -> Row:
    """The row in `COLUMNS` order; `inserted_at` is left to the server's DEFAULT now()."""
    occurred, occurred_ms = utc_seconds(event.occurred_at)
    enriched, _ = utc_seconds(event.enriched_at)
    return (
        event.event_id,
        event.call_id,
        event.type.value,
        occurred,
        occurred_ms,
        event.schema_version,
        event.line,
        event.caller_key,
        event.caller_postcode,
        int(event.postcode_known),
        event.municipality_code,
        event.municipality_name,
        list(event.municipality_candidates),
        int(event.municipality_ambiguous),
        int(event.in_catchment),
        event.ivr_choice,
        event.wrap_up_code,
        event.agent_id,
        event.queue,
        event.topic,
        event.topic_source,
        int(event.in_scope),
        int(event.within_hours),
        enriched,
    )


def live_event_time(event: EnrichedEvent) -> float | None:
    """The event time as Unix seconds, for the end-to-end latency; None for imported history,
    whose age says nothing about the pipeline (a backfill of 2012 must not page anyone)."""
    if event.origin is not Origin.LIVE:
        return None
    seconds, millis = utc_seconds(event.occurred_at)
    return seconds + millis / 1000


def insert_statement(database: str, table: str = TABLE, columns: tuple[str, ...] = COLUMNS) -> str:
    return f"INSERT INTO {identifier(database)}.{identifier(table)} ({', '.join(columns)}) VALUES"
