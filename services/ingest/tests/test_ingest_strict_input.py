"""Strict input (issue 9's poison inputs), at the parsing level: pure, no Kafka, no HTTP.

Each of these was accepted (or crashed ingest or enrich) before; the HTTP answers to the same
inputs are checked against the real broker in test_ingest_kafka_integration.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from hotline_ingest import scan
from hotline_ingest.kinds import AGENT_EVENTS, CALL_EVENTS
from hotline_ingest.parsing import BodyError, Format, Limits, Parsed, Rejection, parse_body

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LIMITS = Limits(max_items=100, max_depth=16, not_after=NOW + timedelta(days=1))


def event(n: int = 1, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "event_id": f"evt-{n}",
        "call_id": "call-1",
        "type": "offered",
        "occurred_at": "2013-01-07T19:00:00+01:00",
        "line": "+4570200000",
    }
    return {**base, **changes}


def parse(body: bytes, fmt: Format = Format.JSON) -> Parsed:
    return parse_body(body, fmt, CALL_EVENTS, LIMITS)


def only_rejection(parsed: Parsed) -> Rejection:
    assert parsed.events == []
    (rejection,) = parsed.rejections
    return rejection


def fields(rejection: Rejection) -> list[tuple[str, str]]:
    return [(e["field"], e["type"]) for e in rejection.errors]


@pytest.mark.parametrize(
    "occurred_at",
    ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z"],
)
def test_timestamps_outside_the_contracts_window_are_rejected(occurred_at: str) -> None:
    rejection = only_rejection(parse(orjson.dumps(event(occurred_at=occurred_at))))
    assert fields(rejection) == [("occurred_at", "value_error")]
    assert "between 2000-01-01 and 2100-01-01" in rejection.reason


def test_an_integer_occurred_at_is_not_read_as_unix_time() -> None:
    rejection = only_rejection(parse(orjson.dumps(event(occurred_at=1357581600))))
    assert fields(rejection) == [("occurred_at", "value_error")]
    assert "RFC 3339" in rejection.reason


@pytest.mark.parametrize("version", [True, 1.0, "1", None, 3])
def test_schema_version_must_be_the_json_integer(version: object) -> None:
    rejection = only_rejection(parse(orjson.dumps(event(schema_version=version))))
    assert fields(rejection) == [("schema_version", "schema_version")]


def test_an_event_more_than_the_margin_ahead_of_the_clock_is_rejected() -> None:
    ahead = (LIMITS.not_after + timedelta(seconds=1)).isoformat()
    just_in = LIMITS.not_after.isoformat()
    parsed = parse(orjson.dumps([event(1, occurred_at=ahead), event(2, occurred_at=just_in)]))
    assert [e.event_id for e in parsed.events] == ["evt-2"]
    (rejection,) = parsed.rejections
    assert fields(rejection) == [("occurred_at", "too_far_in_future")]
    assert "2024-05-02T12:00:00+00:00" in rejection.reason
    assert rejection.key == "call-1"


def test_history_is_accepted_whatever_its_age() -> None:
    history = ["2000-01-01T00:00:00Z", "2012-11-04T18:30:00+01:00", "2013-03-31T21:59:59+02:00"]
    parsed = parse(orjson.dumps([event(n, occurred_at=t) for n, t in enumerate(history)]))
    assert len(parsed.events) == 3


def test_agent_events_get_the_same_future_bound() -> None:
    agent = {
        "schema_version": 1,
        "event_id": "a-1",
        "agent_id": "agent-1",
        "type": "logged_in",
        "occurred_at": "2030-01-01T00:00:00Z",
    }
    parsed = parse_body(orjson.dumps(agent), Format.JSON, AGENT_EVENTS, LIMITS)
    assert fields(only_rejection(parsed)) == [("occurred_at", "too_far_in_future")]


@pytest.mark.parametrize(
    "body",
    [b"[" * 300 + b"]" * 300, b'{"a":' * 300 + b"1" + b"}" * 300],
    ids=["array", "object"],
)
def test_300_levels_deep_are_refused_before_parsing(body: bytes) -> None:
    with pytest.raises(BodyError) as caught:
        parse(body)
    assert (caught.value.status_code, caught.value.label) == (400, "too_deep")
    assert "nested 300 levels deep; at most 16" in caught.value.detail


def test_depth_counts_structure_not_brackets_inside_strings() -> None:
    body = orjson.dumps([event(queue="[" * 30 + '\\"{' * 10)])  # an escaped quote too
    assert scan.structure(body).depth == 2
    assert len(parse(body).events) == 1


def test_a_deep_line_in_ndjson_refuses_the_body() -> None:
    body = orjson.dumps(event(1)) + b"\n" + b"[" * 17 + b"]" * 17
    with pytest.raises(BodyError, match="nested 17 levels deep"):
        parse(body, Format.NDJSON)


@pytest.mark.parametrize(
    "body",
    [
        b'{"schema_version": 1, "event_id": "e\x00"}',
        b"\x00",
        b'[{"a": 1}]\x00',
    ],
)
def test_nul_bytes_refuse_the_body(body: bytes) -> None:
    with pytest.raises(BodyError) as caught:
        parse(body)
    assert (caught.value.status_code, caught.value.label) == (400, "nul_byte")
    assert f"at byte {body.index(0)}" in caught.value.detail


def test_a_nul_character_escaped_in_a_string_rejects_the_item() -> None:
    body = orjson.dumps([event(1, call_id="call\x00x"), event(2, queue="q\x00"), event(3)])
    assert b"\\u0000" in body
    parsed = parse(body)
    assert [e.event_id for e in parsed.events] == ["evt-3"]
    first, second = parsed.rejections
    assert fields(first) == [("call_id", "nul_char")]
    assert first.key is None  # a key with a NUL would not be a usable Kafka key
    assert fields(second) == [("queue", "nul_char")]
    assert second.key == "call-1"


def test_an_escaped_backslash_before_u0000_is_no_nul() -> None:
    parsed = parse(orjson.dumps(event(queue="\\u0000")))
    assert len(parsed.events) == 1


def test_a_repeated_key_rejects_the_item() -> None:
    # orjson alone keeps the last value: the first call_id would silently disappear.
    text = orjson.dumps(event(1)).decode()
    repeated = text.replace('"call_id":"call-1"', '"call_id":"call-1","call_id":"call-2"')
    parsed = parse(f"[{text}, {repeated}]".encode())
    assert [e.event_id for e in parsed.events] == ["evt-1"]
    (rejection,) = parsed.rejections
    assert rejection.index == 1
    assert fields(rejection) == [("call_id", "duplicate_key")]
    assert rejection.label == "duplicate_key"
    assert "call_id: key appears more than once" in rejection.reason


def test_a_repeated_key_in_a_single_object_and_in_ndjson() -> None:
    single = b'{"schema_version": 1, "schema_version": 2}'
    assert ("schema_version", "duplicate_key") in fields(only_rejection(parse(single)))
    good = orjson.dumps(event(1))
    body = good + b"\n" + good.replace(b'"type":', b'"type":"ended","type":') + b"\n" + good
    parsed = parse(body, Format.NDJSON)
    assert len(parsed.events) == 2
    (rejection,) = parsed.rejections
    assert (rejection.line, fields(rejection)) == (2, [("type", "duplicate_key")])


def test_a_repeated_key_inside_a_string_or_a_nested_object_is_found_exactly() -> None:
    # Colons inside strings are not members: no false alarm.
    parsed = parse(orjson.dumps(event(queue="a:b:c", caller_postcode="1:2")))
    assert len(parsed.events) == 1
    nested = b'{"queue": {"x": 1, "x": 2}, "schema_version": 1}'
    assert ("queue.x", "duplicate_key") in fields(only_rejection(parse(nested)))


def test_structure_counts_members_outside_strings_only() -> None:
    shape = scan.structure(b'[{"a:b": "c:d", "e": {"f": "\\":"}}]')
    assert (shape.depth, shape.members) == (3, 3)
    assert scan.structure(b"").depth == 0


def test_repeats_are_found_beside_broken_lines_and_non_objects() -> None:
    # Neither body is "flat objects only", so the exact (slower) count runs.
    good = orjson.dumps(event(1))
    repeated = good.replace(b'"type":', b'"type":"ended","type":')
    parsed = parse(b"\n".join([good, b"{broken", repeated]), Format.NDJSON)
    assert [(r.line, r.label) for r in parsed.rejections] == [(2, "not_json"), (3, "duplicate_key")]
    parsed = parse(b"[42, " + repeated + b"]")
    assert [(r.index, r.label) for r in parsed.rejections] == [
        (0, "model_type"),
        (1, "duplicate_key"),
    ]


@pytest.mark.parametrize(
    "bad_line",
    [b'{"a": "never closed', b"]" * 40, b"[" * 12, b'"'],
    ids=["open-string", "closers", "openers", "lone-quote"],
)
def test_a_bad_ndjson_line_neither_hides_nor_adds_depth(bad_line: bytes) -> None:
    good = orjson.dumps(event(1))
    deep = b"[" * 30 + b"]" * 30
    with pytest.raises(BodyError, match="nested 30 levels deep"):
        parse(b"\n".join([good, bad_line, deep, good]), Format.NDJSON)
    # Two such lines (and more) are rejected one by one, the body is not refused as deep.
    parsed = parse(b"\n".join([bad_line, good, bad_line, good]), Format.NDJSON)
    assert [(r.line, r.label) for r in parsed.rejections] == [(1, "not_json"), (3, "not_json")]
    assert len(parsed.events) == 2
