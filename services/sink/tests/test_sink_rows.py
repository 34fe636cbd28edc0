from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from hotline_schemas import EnrichedEvent
from hotline_sink.rows import COLUMNS, Rejected, decode, insert_statement, to_row

MakeEvent = Callable[..., EnrichedEvent]


def test_round_trip_from_kafka_bytes_to_row(make_event: MakeEvent) -> None:
    event = make_event(3)
    decoded = decode(event.model_dump_json().encode())
    assert decoded == event
    row = dict(zip(COLUMNS, to_row(event), strict=True))
    assert row["event_id"] == event.event_id
    assert row["type"] == event.type.value
    assert row["postcode_known"] in (0, 1)
    assert row["municipality_candidates"] == list(event.municipality_candidates)


def test_timestamps_are_utc_seconds_plus_milliseconds(make_event: MakeEvent) -> None:
    cph = timezone(timedelta(hours=2))
    event = make_event(0, occurred_at=datetime(2013, 3, 31, 18, 30, 0, 987654, tzinfo=cph))
    row = dict(zip(COLUMNS, to_row(event), strict=True))
    assert row["occurred_at"] == int(datetime(2013, 3, 31, 16, 30, tzinfo=UTC).timestamp())
    assert row["occurred_at_ms"] == 987


def test_naive_enriched_at_is_taken_as_utc(make_event: MakeEvent) -> None:
    event = make_event(0, enriched_at=datetime(2013, 1, 1, 0, 0, 1))
    row = dict(zip(COLUMNS, to_row(event), strict=True))
    assert row["enriched_at"] == int(datetime(2013, 1, 1, 0, 0, 1, tzinfo=UTC).timestamp())


def test_garbage_is_rejected_with_a_reason() -> None:
    rejected = decode(b"not json at all")
    assert isinstance(rejected, Rejected)
    assert "not a valid EnrichedEvent" in rejected.reason
    assert rejected.errors


def test_extra_field_is_rejected(make_event: MakeEvent) -> None:
    payload = make_event(1).model_dump(mode="json") | {"surprise": 1}
    rejected = decode(json.dumps(payload).encode())
    assert isinstance(rejected, Rejected)
    assert "surprise" in rejected.reason


def test_tombstone_is_rejected() -> None:
    assert isinstance(decode(None), Rejected)


def test_insert_statement_names_every_column() -> None:
    sql = insert_statement("hotline")
    assert sql.startswith("INSERT INTO hotline.call_events (event_id, call_id,")
    assert sql.endswith(") VALUES")
    assert all(column in sql for column in COLUMNS)
