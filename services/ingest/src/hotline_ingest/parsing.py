"""Request body to call events: pure, no I/O.

Accepted shapes:

- one JSON object: one item;
- a JSON array: each element is an item (index = position in the array);
- NDJSON (Content-Type `application/x-ndjson`, or any body of several lines whose first
  non-blank line is JSON on its own): each non-blank line is an item, reasons name the line.

Whole-body problems raise `BodyError` (status 400, 413 or 422, see its docstring). Problems
with a single item never reject the rest: the item becomes a `Rejection`, and the valid
items of the same body are still accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from pydantic import ValidationError

from hotline_schemas import CallEvent
from hotline_schemas.validation import error_items, reason

NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl"})
_BOM = b"\xef\xbb\xbf"


class BodyError(Exception):
    """The body as a whole cannot be taken.

    400: empty, not JSON/NDJSON at all. 413: more items than allowed (bytes are limited while
    reading, see `body.py`). 422: a well-formed but empty JSON array.
    """

    def __init__(self, status_code: int, label: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.label = label  # bounded metric label
        self.detail = detail


@dataclass(frozen=True)
class Rejection:
    index: int
    line: int | None
    reason: str
    label: str  # bounded metric label: "not_json" or the first pydantic error type
    errors: list[dict[str, str]]
    payload: str
    call_id: str | None


@dataclass
class Parsed:
    events: list[CallEvent] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.events) + len(self.rejections)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_body(body: bytes, content_type: str | None, max_items: int) -> Parsed:
    body = body.removeprefix(_BOM)
    if not body.strip():
        raise BodyError(400, "empty_body", "body is empty: send a JSON object, array or NDJSON")
    if media_type(content_type) in NDJSON_TYPES:
        return _parse_ndjson(body, max_items)
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if _looks_like_ndjson(body):
            return _parse_ndjson(body, max_items)
        raise BodyError(400, "body_not_json", f"body is not JSON/NDJSON: {exc}") from exc
    if isinstance(document, list):
        return _parse_array(document, max_items)
    parsed = Parsed()
    _add(parsed, document, 0, None, body.decode("utf-8", "replace"))
    return parsed


def _looks_like_ndjson(body: bytes) -> bool:
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        return False
    return True


def _too_many(count: int, max_items: int) -> BodyError:
    return BodyError(
        413, "too_many_items", f"too many items: {count} > {max_items}; split the batch"
    )


def _parse_array(items: list[object], max_items: int) -> Parsed:
    if not items:
        raise BodyError(422, "empty_batch", "the JSON array holds no events")
    if len(items) > max_items:
        raise _too_many(len(items), max_items)
    parsed = Parsed()
    for index, item in enumerate(items):
        # The element's own bytes are gone after parsing; its canonical JSON is equivalent.
        _add(parsed, item, index, None, orjson.dumps(item).decode())
    return parsed


def _parse_ndjson(body: bytes, max_items: int) -> Parsed:
    numbered = [(n, line) for n, line in enumerate(body.splitlines(), start=1) if line.strip()]
    if len(numbered) > max_items:
        raise _too_many(len(numbered), max_items)
    parsed = Parsed()
    for index, (line_no, line) in enumerate(numbered):
        text = line.decode("utf-8", "replace")
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            parsed.rejections.append(
                Rejection(
                    index=index,
                    line=line_no,
                    reason=f"line {line_no}: not valid JSON: {exc}",
                    label="not_json",
                    errors=[{"field": "(line)", "error": str(exc), "type": "not_json"}],
                    payload=text,
                    call_id=None,
                )
            )
            continue
        _add(parsed, item, index, line_no, text)
    return parsed


def _add(parsed: Parsed, item: object, index: int, line: int | None, text: str) -> None:
    try:
        parsed.events.append(CallEvent.model_validate(item))
    except ValidationError as exc:
        errors = error_items(exc)
        where = f"line {line}" if line is not None else f"item {index}"
        parsed.rejections.append(
            Rejection(
                index=index,
                line=line,
                reason=f"{where}: {reason(exc)}",
                label=errors[0]["type"] if errors else "validation",
                errors=errors,
                payload=text,
                call_id=_call_id(item),
            )
        )


def _call_id(item: object) -> str | None:
    """The call id of a rejected item, when it has a usable one (to key its dead letter)."""
    if isinstance(item, dict):
        value = item.get("call_id")
        if isinstance(value, str) and 0 < len(value) <= 128:
            return value
    return None
