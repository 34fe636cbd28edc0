"""The contract's artefacts: generated JSON Schema has not drifted, every example holds."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema as jsonschema_lib
import pytest
from pydantic import BaseModel, ValidationError

from hotline_schemas import (
    AgentEvent,
    CallEvent,
    CallEventV2,
    EndReason,
    Origin,
    as_v2,
    jsonschema,
    parse_call_event,
    paths,
    topics,
)
from hotline_schemas.validation import error_items

# example folder -> (model, generated schema file)
KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "call-event": (CallEvent, "call-event.v1.json"),
    "call-event-v2": (CallEventV2, "call-event.v2.json"),
    "agent-event": (AgentEvent, "agent-event.v1.json"),
}


def _all(validity: str) -> list[tuple[str, Path]]:
    return [
        (kind, path)
        for kind in KINDS
        for path in sorted((paths.EXAMPLES_DIR / kind / validity).glob("*.json"))
    ]


VALID = _all("valid")
INVALID = _all("invalid")


def _id(case: tuple[str, Path]) -> str:
    return f"{case[0]}/{case[1].stem}"


def test_committed_json_schema_matches_the_models() -> None:
    rendered = jsonschema.render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in paths.JSONSCHEMA_DIR.glob("*.json")}
    assert committed == rendered, "JSON Schema drifted: run `make schemas` and commit the result"


@pytest.mark.parametrize("kind", list(KINDS))
def test_there_are_examples_of_both_kinds(kind: str) -> None:
    assert len([c for c in VALID if c[0] == kind]) >= 3
    assert len([c for c in INVALID if c[0] == kind]) >= 3


@pytest.mark.parametrize("case", VALID, ids=_id)
def test_valid_example_passes_model_and_generated_schema(case: tuple[str, Path]) -> None:
    kind, path = case
    model, schema_file = KINDS[kind]
    doc = json.loads(path.read_text(encoding="utf-8"))
    event = model.model_validate_json(path.read_bytes())
    assert getattr(event, "event_id") == doc["event_id"]  # noqa: B009 - every kind has one
    schema = json.loads((paths.JSONSCHEMA_DIR / schema_file).read_text(encoding="utf-8"))
    jsonschema_lib.validate(doc, schema)


@pytest.mark.parametrize("case", INVALID, ids=_id)
def test_invalid_example_is_rejected_naming_the_field(case: tuple[str, Path]) -> None:
    kind, path = case
    model, _ = KINDS[kind]
    doc = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(doc["payload"]))
    fields = [item["field"] for item in error_items(caught.value)]
    assert any(f.startswith(doc["expect_error_field"]) for f in fields), fields


@pytest.mark.parametrize("case", [c for c in VALID if c[0] != "agent-event"], ids=_id)
def test_parse_call_event_reads_both_versions(case: tuple[str, Path]) -> None:
    kind, path = case
    event = parse_call_event(path.read_bytes())
    assert isinstance(event, KINDS[kind][0])
    upgraded = as_v2(event)
    assert upgraded.event_id == event.event_id
    assert upgraded.occurred_at == event.occurred_at
    if kind == "call-event":
        assert upgraded.origin is Origin.LIVE
        assert upgraded.end_reason is None


def test_parse_call_event_names_the_field_without_the_union_tag() -> None:
    doc = json.loads((paths.EXAMPLES_DIR / "call-event-v2/invalid/year-9999.json").read_text())
    with pytest.raises(ValidationError) as caught:
        parse_call_event(json.dumps(doc["payload"]))
    assert [i["field"] for i in error_items(caught.value)] == ["occurred_at"]


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "3", "null"])
def test_schema_version_must_be_the_integer_1_or_2(version: str) -> None:
    text = (paths.EXAMPLES_DIR / "call-event/valid/answered.json").read_text()
    doc = text.replace('"schema_version": 1', f'"schema_version": {version}')
    with pytest.raises(ValidationError, match="schema_version") as caught:
        parse_call_event(doc)
    assert [i["field"] for i in error_items(caught.value)] == ["schema_version"]


def test_v2_carries_why_an_unanswered_call_ended() -> None:
    path = paths.EXAMPLES_DIR / "call-event-v2/valid/abandoned-queue-timeout-imported.json"
    event = parse_call_event(path.read_bytes())
    assert isinstance(event, CallEventV2)
    assert event.end_reason is EndReason.QUEUE_TIMEOUT
    assert event.origin is Origin.IMPORT


def test_round_trip_keeps_the_offset_of_the_timestamp() -> None:
    event = CallEvent.model_validate_json(
        (paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_bytes()
    )
    again = CallEvent.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.occurred_at.utcoffset() is not None


def test_every_data_topic_has_a_key_and_a_dead_letter_topic() -> None:
    names = [t.name for t in topics.ALL_TOPICS]
    assert len(names) == len(set(names))
    for topic in topics.DATA_TOPICS:
        assert topic.key in {"call_id", "agent_id"}
        assert topic.dead_letter in names
        assert topics.by_name(topic.name) is topic
    assert topics.AGENT_EVENTS.model is AgentEvent
