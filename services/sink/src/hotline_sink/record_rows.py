"""Kafka message bytes -> CallRecord -> a `call_records` row (pure functions).

Same conventions as `rows.py`: timestamps are integer Unix seconds (the exact durations are in
wait_seconds/talk_seconds; `started_at` also keeps its milliseconds), booleans are 0/1.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from hotline_schemas import CallRecord
from hotline_schemas.validation import error_items
from hotline_schemas.validation import reason as validation_reason
from hotline_sink.rows import Rejected, Row, utc_seconds

TABLE = "call_records"

COLUMNS: tuple[str, ...] = (
    "call_id",
    "version",
    "schema_version",
    "updated_at",
    "started_at",
    "started_at_ms",
    "offered_at",
    "queued_at",
    "answered_at",
    "abandoned_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "outcome",
    "closed_reason",
    "closed_by_timeout",
    "within_hours",
    "topic",
    "topic_source",
    "in_scope",
    "wrap_up_code",
    "queue",
    "agent_id",
    "line",
    "municipality_code",
    "municipality_name",
    "in_catchment",
    "caller_postcode",
    "caller_key",
    "event_count",
    "menu_seconds",
    "end_reason",
    "origin",
    "source",
    "first_seen_at",
)


def decode(value: bytes | None) -> CallRecord | Rejected:
    if value is None:
        return Rejected("empty message (tombstone)")
    try:
        return CallRecord.model_validate_json(value)
    except ValidationError as exc:
        return Rejected(f"not a valid CallRecord: {validation_reason(exc)}", error_items(exc))


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else utc_seconds(moment)[0]


def to_row(record: CallRecord) -> Row:
    """The row in `COLUMNS` order; `inserted_at` is left to the server's DEFAULT now()."""
    started, started_ms = utc_seconds(record.started_at)
    return (
        record.call_id,
        record.version,
        record.schema_version,
        utc_seconds(record.updated_at)[0],
        started,
        started_ms,
        _seconds(record.offered_at),
        _seconds(record.queued_at),
        _seconds(record.answered_at),
        _seconds(record.abandoned_at),
        _seconds(record.ended_at),
        record.wait_seconds,
        record.talk_seconds,
        record.outcome.value,
        record.closed_reason,
        int(record.closed_by_timeout),
        int(record.within_hours),
        record.topic,
        record.topic_source,
        int(record.in_scope),
        record.wrap_up_code,
        record.queue,
        record.agent_id,
        record.line,
        record.municipality_code,
        record.municipality_name,
        int(record.in_catchment),
        record.caller_postcode,
        record.caller_key,
        record.event_count,
        record.menu_seconds,
        None if record.end_reason is None else record.end_reason.value,
        record.origin.value,
        record.source,
        # The partition key: never NULL (a v1 record, which has none, uses its start).
        utc_seconds(record.first_seen_at or record.started_at)[0],
    )
