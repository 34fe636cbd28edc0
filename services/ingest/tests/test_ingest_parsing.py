"""Body parsing and dead letters: pure, no Kafka, no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from hotline_ingest.dead_letters import to_dead_letter
from hotline_ingest.kinds import AGENT_EVENTS, CALL_EVENTS
from hotline_ingest.parsing import (
    BodyError,
    Format,
    Limits,
    Parsed,
    Rejection,
    body_format,
    parse_body,
)
from hotline_schemas import AgentEvent, CallEvent, CallEventV2
from hotline_schemas.privacy import KeyRing, new_key, unseal

MAX = 100
NOW = datetime(2013, 1, 8, 12, 0, tzinfo=UTC)
LIMITS = Limits(max_items=MAX, max_depth=16, not_after=NOW)
JSON, NDJSON = Format.JSON, Format.NDJSON


def parse(body: bytes, fmt: Format = JSON, **limits: Any) -> Parsed:
    return parse_body(body, fmt, CALL_EVENTS, Limits(**{**LIMITS.__dict__, **limits}))


def event(n: int = 1, call: str = "call-1", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "event_id": f"evt-{n}",
        "call_id": call,
        "type": "offered",
        "occurred_at": "2013-01-07T19:00:00+01:00",
        "line": "+4570200000",
        "caller_postcode": "8000",
    }
    base.update(changes)
    return base


def dumps(obj: object) -> bytes:
    return orjson.dumps(obj)


def test_single_object() -> None:
    parsed = parse(dumps(event()))
    assert [e.event_id for e in parsed.events] == ["evt-1"]
    assert parsed.rejections == []


def test_array_keeps_order() -> None:
    parsed = parse(dumps([event(1), event(2), event(3)]))
    assert [e.event_id for e in parsed.events] == ["evt-1", "evt-2", "evt-3"]


def test_ndjson_skips_blank_lines_and_takes_crlf() -> None:
    body = b"\r\n".join([dumps(event(1)), b"", b"   ", dumps(event(2)), b""])
    parsed = parse(body, NDJSON)
    assert [e.event_id for e in parsed.events] == ["evt-1", "evt-2"]


def test_ndjson_as_application_json_is_refused_with_a_hint() -> None:
    body = dumps(event(1)) + b"\n" + dumps(event(2)) + b"\n"
    with pytest.raises(BodyError) as caught:
        parse(body, JSON)
    assert (caught.value.status_code, caught.value.label) == (400, "body_not_json")
    assert "send it with Content-Type application/x-ndjson" in caught.value.detail


def test_ndjson_single_line_is_one_event() -> None:
    parsed = parse(dumps(event(1)) + b"\n", NDJSON)
    assert len(parsed.events) == 1


def test_pretty_printed_object_is_one_event() -> None:
    body = orjson.dumps(event(), option=orjson.OPT_INDENT_2)
    parsed = parse(body)
    assert len(parsed.events) == 1


def test_v1_and_v2_call_events_are_both_accepted_as_sent() -> None:
    v2 = event(2, schema_version=2, type="abandoned", end_reason="queue_timeout", origin="import")
    parsed = parse(dumps([event(1), v2]))
    first, second = parsed.events
    assert type(first) is CallEvent
    assert type(second) is CallEventV2
    assert second.end_reason == "queue_timeout"


def test_agent_events_are_their_own_kind() -> None:
    agent = {
        "schema_version": 1,
        "event_id": "a-1",
        "agent_id": "agent-7",
        "type": "paused",
        "occurred_at": "2013-01-07T19:00:00+01:00",
        "reason": "break",
    }
    parsed = parse_body(dumps([agent, event(2)]), JSON, AGENT_EVENTS, LIMITS)
    assert [type(e) for e in parsed.events] == [AgentEvent]
    (call_event_as_agent,) = parsed.rejections
    assert call_event_as_agent.key is None  # a call event has no agent_id
    fields = {(e["field"], e["type"]) for e in call_event_as_agent.errors}
    assert fields >= {("agent_id", "missing"), ("line", "extra_forbidden")}


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", JSON),
        ("Application/JSON; charset=UTF-8", JSON),
        ('application/json; charset="utf8"', JSON),
        ("application/x-ndjson", NDJSON),
        ("application/x-ndjson; charset=utf-8", NDJSON),
        ("application/ndjson", NDJSON),
        ("application/jsonl", NDJSON),
    ],
)
def test_json_and_ndjson_content_types(content_type: str, expected: Format) -> None:
    assert body_format(content_type) is expected


@pytest.mark.parametrize(
    ("content_type", "says"),
    [
        (None, "Content-Type is missing"),
        ("", "Content-Type is missing"),
        ("text/plain", "'text/plain' is not accepted"),
        ("application/x-www-form-urlencoded", "is not accepted"),
        ("multipart/form-data; boundary=x", "is not accepted"),
        ("application/xml", "is not accepted"),
        ("application/json-patch+json", "is not accepted"),
        ("application/json; charset=latin-1", "charset 'latin-1' is not accepted"),
        ("application/x-ndjson; charset=utf-16", "charset 'utf-16' is not accepted"),
    ],
)
def test_other_content_types_are_415(content_type: str | None, says: str) -> None:
    with pytest.raises(BodyError) as caught:
        body_format(content_type)
    assert (caught.value.status_code, caught.value.label) == (415, "unsupported_media_type")
    assert says in caught.value.detail
    assert "application/json, application/jsonl" in caught.value.detail or "charset" in says


def test_ndjson_bad_lines_name_their_line_numbers() -> None:
    body = b"\n".join(
        [dumps(event(1)), b"", b"{not json", dumps(event(2, type="ringing")), dumps(event(3))]
    )
    parsed = parse(body, NDJSON)
    assert [e.event_id for e in parsed.events] == ["evt-1", "evt-3"]
    bad_json, bad_type = parsed.rejections
    assert (bad_json.index, bad_json.line, bad_json.label) == (1, 3, "not_json")
    assert bad_json.reason.startswith("line 3: not valid JSON")
    assert bad_json.payload == "{not json"
    assert (bad_type.index, bad_type.line, bad_type.label) == (2, 4, "enum")
    assert bad_type.reason.startswith("line 4: type:")
    assert bad_type.key == "call-1"
    assert orjson.loads(bad_type.payload)["type"] == "ringing"


def test_array_items_rejected_individually() -> None:
    items = [event(1), {"hello": "world"}, 42, event(4, occurred_at="2013-01-07T19:00:00")]
    parsed = parse(dumps(items))
    assert [e.event_id for e in parsed.events] == ["evt-1"]
    assert [r.index for r in parsed.rejections] == [1, 2, 3]
    assert all(r.line is None for r in parsed.rejections)
    missing, not_object, naive = parsed.rejections
    assert missing.reason.startswith("item 1: ")
    # Without a schema_version the contract cannot tell which version's fields to check.
    assert missing.errors == [
        {
            "field": "schema_version",
            "error": "schema_version must be the JSON integer 1 or 2",
            "type": "schema_version",
        }
    ]
    assert missing.key is None
    assert not_object.label == "model_type"
    assert not_object.payload == "42"
    assert naive.label == "timezone_aware"
    assert missing.key is None
    assert naive.key == "call-1"


def test_extra_fields_rejected() -> None:
    parsed = parse(dumps(event(surprise=True)))
    assert parsed.events == []
    (rejection,) = parsed.rejections
    assert rejection.label == "extra_forbidden"
    assert "surprise" in rejection.reason


def test_scalar_body_is_one_rejected_item() -> None:
    parsed = parse(b'"hello"')
    assert parsed.events == []
    assert parsed.rejections[0].payload == '"hello"'


@pytest.mark.parametrize(
    ("body", "status", "label"),
    [
        (b"", 400, "empty_body"),
        (b"  \n\n ", 400, "empty_body"),
        (b"this is not json", 400, "body_not_json"),
        (b"<xml/>\n<xml/>", 400, "body_not_json"),
        (b"[]", 422, "empty_batch"),
    ],
)
def test_whole_body_errors(body: bytes, status: int, label: str) -> None:
    with pytest.raises(BodyError) as caught:
        parse(body)
    assert (caught.value.status_code, caught.value.label) == (status, label)


def test_not_json_reason_is_clear() -> None:
    with pytest.raises(BodyError, match="body is not JSON: "):
        parse(b"hello")


def test_too_many_items_array_and_ndjson() -> None:
    with pytest.raises(BodyError) as caught:
        parse(dumps([event(n) for n in range(4)]), max_items=3)
    assert caught.value.status_code == 413
    assert "4 > 3" in caught.value.detail
    ndjson = b"\n".join(dumps(event(n)) for n in range(4))
    with pytest.raises(BodyError) as caught:
        parse(ndjson, NDJSON, max_items=3)
    assert caught.value.status_code == 413


def test_byte_order_mark_tolerated() -> None:
    parsed = parse(b"\xef\xbb\xbf" + dumps(event()))
    assert len(parsed.events) == 1


def test_invalid_utf8_line_is_rejected_not_fatal() -> None:
    body = dumps(event(1)) + b"\n" + b'{"call_id": "\xff"}'
    parsed = parse(body, NDJSON)
    assert len(parsed.events) == 1
    assert parsed.rejections[0].label == "not_json"
    assert "\ufffd" in parsed.rejections[0].payload


def _rejection(payload: str) -> Rejection:
    return Rejection(
        index=0,
        line=None,
        reason="item 0: call_id: Field required",
        label="missing",
        errors=[{"field": "call_id", "error": "Field required", "type": "missing"}],
        payload=payload,
        key="call-9",
    )


def test_dead_letter_keeps_reason_payload_and_key() -> None:
    at = datetime(2013, 1, 7, 18, 0, tzinfo=UTC)
    letter = to_dead_letter(_rejection('{"x": 1}'), at, 1000, None)
    assert letter.key == "call-9"
    assert letter.record.stage == "ingest"
    assert letter.record.payload == '{"x": 1}'
    assert letter.record.reason == "item 0: call_id: Field required"
    assert letter.record.errors[0]["type"] == "missing"
    assert letter.record.rejected_at == at


def test_dead_letter_truncates_huge_payload_and_says_so() -> None:
    letter = to_dead_letter(_rejection("x" * 50), datetime.now(UTC), 10, None)
    assert letter.record.payload == "x" * 10
    assert "payload truncated: 40 of 50 bytes cut" in letter.record.reason


def test_dead_letter_masks_the_caller_number_and_seals_the_item() -> None:
    keys = KeyRing.parse(new_key())
    item = '{"caller_number": "+4586123456", "type": "ringing"}'
    letter = to_dead_letter(_rejection(item), datetime.now(UTC), 1000, keys)
    assert letter.record.payload == '{"caller_number": "+##########", "type": "ringing"}'
    assert unseal(letter.record, keys) == item.encode()
