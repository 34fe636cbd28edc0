"""Body parsing and dead letters: pure, no Kafka, no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from hotline_ingest.dead_letters import to_dead_letter
from hotline_ingest.parsing import BodyError, Rejection, parse_body
from hotline_schemas.privacy import KeyRing, new_key, unseal

MAX = 100


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
    parsed = parse_body(dumps(event()), "application/json", MAX)
    assert [e.event_id for e in parsed.events] == ["evt-1"]
    assert parsed.rejections == []


def test_array_keeps_order() -> None:
    parsed = parse_body(dumps([event(1), event(2), event(3)]), "application/json", MAX)
    assert [e.event_id for e in parsed.events] == ["evt-1", "evt-2", "evt-3"]


def test_ndjson_by_content_type_skips_blank_lines() -> None:
    body = b"\n".join([dumps(event(1)), b"", b"   ", dumps(event(2)), b""])
    parsed = parse_body(body, "application/x-ndjson; charset=utf-8", MAX)
    assert [e.event_id for e in parsed.events] == ["evt-1", "evt-2"]


def test_ndjson_detected_without_content_type() -> None:
    body = dumps(event(1)) + b"\r\n" + dumps(event(2)) + b"\n"
    parsed = parse_body(body, "application/json", MAX)
    assert len(parsed.events) == 2


def test_ndjson_single_line_is_one_event() -> None:
    parsed = parse_body(dumps(event(1)) + b"\n", "application/x-ndjson", MAX)
    assert len(parsed.events) == 1


def test_pretty_printed_object_is_not_ndjson() -> None:
    body = orjson.dumps(event(), option=orjson.OPT_INDENT_2)
    parsed = parse_body(body, None, MAX)
    assert len(parsed.events) == 1


def test_ndjson_bad_lines_name_their_line_numbers() -> None:
    body = b"\n".join(
        [dumps(event(1)), b"", b"{not json", dumps(event(2, type="ringing")), dumps(event(3))]
    )
    parsed = parse_body(body, "application/x-ndjson", MAX)
    assert [e.event_id for e in parsed.events] == ["evt-1", "evt-3"]
    bad_json, bad_type = parsed.rejections
    assert (bad_json.index, bad_json.line, bad_json.label) == (1, 3, "not_json")
    assert bad_json.reason.startswith("line 3: not valid JSON")
    assert bad_json.payload == "{not json"
    assert (bad_type.index, bad_type.line, bad_type.label) == (2, 4, "enum")
    assert bad_type.reason.startswith("line 4: type:")
    assert bad_type.call_id == "call-1"
    assert orjson.loads(bad_type.payload)["type"] == "ringing"


def test_array_items_rejected_individually() -> None:
    items = [event(1), {"hello": "world"}, 42, event(4, occurred_at="2013-01-07T19:00:00")]
    parsed = parse_body(dumps(items), "application/json", MAX)
    assert [e.event_id for e in parsed.events] == ["evt-1"]
    assert [r.index for r in parsed.rejections] == [1, 2, 3]
    assert all(r.line is None for r in parsed.rejections)
    missing, not_object, naive = parsed.rejections
    assert missing.reason.startswith("item 1: ")
    assert {e["type"] for e in missing.errors} >= {"missing", "extra_forbidden"}
    assert missing.call_id is None
    assert not_object.label == "model_type"
    assert not_object.payload == "42"
    assert naive.label == "timezone_aware"


def test_extra_fields_rejected() -> None:
    parsed = parse_body(dumps(event(surprise=True)), "application/json", MAX)
    assert parsed.events == []
    (rejection,) = parsed.rejections
    assert rejection.label == "extra_forbidden"
    assert "surprise" in rejection.reason


def test_scalar_body_is_one_rejected_item() -> None:
    parsed = parse_body(b'"hello"', "application/json", MAX)
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
        parse_body(body, "application/json", MAX)
    assert (caught.value.status_code, caught.value.label) == (status, label)


def test_not_json_reason_is_clear() -> None:
    with pytest.raises(BodyError, match="body is not JSON/NDJSON"):
        parse_body(b"hello", None, MAX)


def test_too_many_items_array_and_ndjson() -> None:
    with pytest.raises(BodyError) as caught:
        parse_body(dumps([event(n) for n in range(4)]), None, 3)
    assert caught.value.status_code == 413
    assert "4 > 3" in caught.value.detail
    ndjson = b"\n".join(dumps(event(n)) for n in range(4))
    with pytest.raises(BodyError) as caught:
        parse_body(ndjson, "application/x-ndjson", 3)
    assert caught.value.status_code == 413


def test_byte_order_mark_tolerated() -> None:
    parsed = parse_body(b"\xef\xbb\xbf" + dumps(event()), "application/json", MAX)
    assert len(parsed.events) == 1


def test_invalid_utf8_line_is_rejected_not_fatal() -> None:
    body = dumps(event(1)) + b"\n" + b'{"call_id": "\xff"}'
    parsed = parse_body(body, "application/x-ndjson", MAX)
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
        call_id="call-9",
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
