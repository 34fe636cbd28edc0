"""Full enrichment of the contract's example payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_enrich.pseudonym import caller_key
from hotline_schemas import CallEvent, EnrichedEvent, paths
from hotline_schemas.hours import OpeningSchedule
from hotline_schemas.reference_data import PostcodeTable
from hotline_schemas.taxonomy import load_taxonomy

SECRET = b"test-secret-for-enrichment"
CTX = EnrichmentContext(
    postcodes=PostcodeTable.load(),
    schedule=OpeningSchedule(),
    taxonomy=load_taxonomy(None),
    secret=SECRET,
)
NOW = datetime(2013, 4, 1, 12, 0, tzinfo=UTC)
VALID = sorted((paths.EXAMPLES_DIR / "call-event" / "valid").glob("*.json"))


def example(name: str) -> CallEvent:
    return CallEvent.model_validate_json(
        (paths.EXAMPLES_DIR / "call-event/valid" / name).read_bytes()
    )


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_example_enriches_to_a_valid_event_without_the_number(path: Path) -> None:
    event = CallEvent.model_validate_json(path.read_bytes())
    enriched = enrich(event, CTX, NOW)
    again = EnrichedEvent.model_validate_json(enriched.model_dump_json())
    assert again == enriched
    assert (enriched.event_id, enriched.call_id, enriched.type) == (
        event.event_id,
        event.call_id,
        event.type,
    )
    assert enriched.occurred_at == event.occurred_at
    assert enriched.enriched_at == NOW
    if event.caller_number is not None:
        assert event.caller_number not in enriched.model_dump_json()


def test_offered_from_aarhus() -> None:
    enriched = enrich(example("offered-aarhus.json"), CTX, NOW)
    assert enriched.model_dump(exclude={"occurred_at", "enriched_at"}) == {
        "schema_version": 1,
        "event_id": "evt-0001",
        "call_id": "call-0001",
        "type": "offered",
        "line": "+4570200000",
        "caller_key": caller_key(SECRET, "+4586123456"),
        "caller_postcode": "8000",
        "postcode_known": True,
        "municipality_code": 751,
        "municipality_name": "Aarhus",
        "municipality_candidates": [751],
        "municipality_ambiguous": False,
        "in_catchment": True,
        "ivr_choice": "2",
        "wrap_up_code": None,
        "agent_id": None,
        "queue": "hotline",
        "topic": "digital_post",
        "topic_source": "ivr_choice",
        "in_scope": True,
        "within_hours": True,  # 18:30 CEST on the DST Sunday: the first open second
        "source_version": 1,
        "end_reason": None,
        "origin": "live",
        "source": None,
    }


def test_wrap_up_code_decides_the_topic_of_the_end_event() -> None:
    enriched = enrich(example("ended-with-wrap-up.json"), CTX, NOW)
    assert (enriched.topic, enriched.topic_source) == ("nemid_login", "wrap_up_code")


def test_not_a_postcode_maps_to_no_municipality() -> None:
    enriched = enrich(example("offered-not-a-postcode.json"), CTX, NOW)
    assert enriched.caller_postcode == "12"
    assert enriched.postcode_known is False
    assert enriched.municipality_code is None
    assert enriched.municipality_name is None
    assert enriched.municipality_candidates == []
    assert enriched.in_catchment is False


def test_withheld_number_and_no_postcode() -> None:
    assert enrich(example("queued-withheld-number.json"), CTX, NOW).caller_key is None
    abandoned = enrich(example("abandoned-no-postcode.json"), CTX, NOW)
    assert (abandoned.municipality_code, abandoned.topic) == (None, "unknown")
    assert abandoned.within_hours is True  # Monday 21:59:59, the last open second


def test_within_hours_is_decided_at_the_events_own_time() -> None:
    late = example("offered-aarhus.json").model_copy(
        update={"occurred_at": datetime(2013, 3, 31, 20, 0, tzinfo=UTC)}  # 22:00 CEST
    )
    assert enrich(late, CTX, NOW).within_hours is False
