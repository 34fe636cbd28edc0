"""Sink test helpers: EnrichedEvent factories (built directly, not through enrich) and an
in-process current ClickHouse (chdb) that speaks the migrations' executor interface."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_schemas import CallEvent, CallRecord, EnrichedEvent
from hotline_schemas.paths import EXAMPLES_DIR

MakeEvent = Callable[..., EnrichedEvent]


def _examples() -> list[CallEvent]:
    paths = sorted((EXAMPLES_DIR / "call-event" / "valid").glob("*.json"))
    return [CallEvent.model_validate_json(p.read_bytes()) for p in paths]


@pytest.fixture
def make_event() -> MakeEvent:
    """make_event(i, **overrides): the i-th example call event with enrichment-like fields."""
    examples = _examples()

    def make(i: int = 0, **overrides: Any) -> EnrichedEvent:
        raw = examples[i % len(examples)]
        known = raw.caller_postcode == "8000"
        fields: dict[str, Any] = {
            "event_id": f"{raw.event_id}-{i}",
            "call_id": f"{raw.call_id}-{i // 3}",
            "type": raw.type,
            "occurred_at": raw.occurred_at,
            "line": raw.line,
            "caller_key": None if raw.caller_number is None else f"key-{i % 7}",
            "caller_postcode": raw.caller_postcode,
            "postcode_known": known,
            "municipality_code": 751 if known else None,
            "municipality_name": "Aarhus" if known else None,
            "municipality_candidates": [751] if known else [],
            "municipality_ambiguous": False,
            "in_catchment": known,
            "ivr_choice": raw.ivr_choice,
            "wrap_up_code": raw.wrap_up_code,
            "agent_id": raw.agent_id,
            "queue": raw.queue,
            "topic": "mitid" if raw.wrap_up_code else "unknown",
            "topic_source": "wrap_up_code" if raw.wrap_up_code else "none",
            "in_scope": True,
            "within_hours": True,
            "enriched_at": datetime(2013, 3, 31, 16, 40, 0, 123456, tzinfo=UTC),
        }
        fields.update(overrides)
        return EnrichedEvent(**fields)

    return make


MakeRecord = Callable[..., CallRecord]
RECORD_START = datetime(2013, 3, 31, 16, 40, 3, 250000, tzinfo=UTC)


@pytest.fixture
def make_record() -> MakeRecord:
    """make_record(call_id, **overrides): an answered in-hours call record (built directly)."""

    def make(call_id: str = "call-1", **overrides: Any) -> CallRecord:
        start = overrides.pop("started_at", RECORD_START)
        wait = overrides.pop("wait_seconds", 15.0)
        waited = wait or 0.0
        fields: dict[str, Any] = {
            "call_id": call_id,
            "version": 4,
            "updated_at": datetime(2024, 1, 1, tzinfo=UTC),
            "started_at": start,
            "offered_at": start,
            "queued_at": start + timedelta(seconds=5),
            "answered_at": start + timedelta(seconds=5 + waited),
            "abandoned_at": None,
            "ended_at": start + timedelta(seconds=305 + waited),
            "wait_seconds": wait,
            "talk_seconds": 300.0,
            "outcome": "answered",
            "closed_reason": "ended",
            "closed_by_timeout": False,
            "within_hours": True,
            "topic": "moving",
            "topic_source": "wrap_up_code",
            "in_scope": True,
            "wrap_up_code": "FLYT",
            "queue": "hotline",
            "agent_id": "agent-07",
            "line": "+4570200000",
            "municipality_code": 751,
            "municipality_name": "Aarhus",
            "in_catchment": True,
            "caller_postcode": "8000",
            "caller_key": "key-1",
            "event_count": 4,
        }
        fields.update(overrides)
        return CallRecord(**fields)

    return make
