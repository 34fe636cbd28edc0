"""The contract's artefacts: generated JSON Schema has not drifted, every example holds."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema as jsonschema_lib
import pytest
from pydantic import ValidationError

from hotline_schemas import CallEvent, jsonschema, paths, topics
from hotline_schemas.validation import error_items

VALID = sorted((paths.EXAMPLES_DIR / "call-event" / "valid").glob("*.json"))
INVALID = sorted((paths.EXAMPLES_DIR / "call-event" / "invalid").glob("*.json"))


def test_committed_json_schema_matches_the_models() -> None:
    rendered = jsonschema.render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in paths.JSONSCHEMA_DIR.glob("*.json")}
    assert committed == rendered, "JSON Schema drifted: run `make schemas` and commit the result"


def test_there_are_examples_of_both_kinds() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 5


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_passes_model_and_generated_schema(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    event = CallEvent.model_validate_json(path.read_bytes())
    assert event.event_id == doc["event_id"]
    schema = json.loads((paths.JSONSCHEMA_DIR / "call-event.v1.json").read_text(encoding="utf-8"))
    jsonschema_lib.validate(doc, schema)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_is_rejected_naming_the_field(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(ValidationError) as caught:
        CallEvent.model_validate(doc["payload"])
    fields = [item["field"] for item in error_items(caught.value)]
    assert any(f.startswith(doc["expect_error_field"]) for f in fields), fields


def test_round_trip_keeps_the_offset_of_the_timestamp() -> None:
    event = CallEvent.model_validate_json(
        (paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_bytes()
    )
    again = CallEvent.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.occurred_at.utcoffset() is not None


def test_every_data_topic_is_keyed_by_call_id_and_has_a_dead_letter_topic() -> None:
    names = [t.name for t in topics.ALL_TOPICS]
    assert len(names) == len(set(names))
    for topic in topics.DATA_TOPICS:
        assert topic.key == "call_id"
        assert topic.dead_letter in names
        assert topics.by_name(topic.name) is topic
