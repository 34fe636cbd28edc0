"""Request body to events of one kind: pure, no I/O.

The Content-Type decides the shape (`body_format`, 415 for anything else):

- `application/json`: one JSON value; an object is one item, an array holds the items (index =
  position in the array);
- `application/x-ndjson` (also `application/ndjson`, `application/jsonl`): each non-blank line
  is an item, reasons name the line.

A `charset` parameter may only say UTF-8.

Whole-body problems raise `BodyError` (see its docstring). Problems with a single item never
reject the rest: the item becomes a `Rejection`, and the valid items of the same body are still
accepted. Beyond the contract an item is rejected for a repeated key, a NUL character in a
string, or an `occurred_at` too far in the future (`Limits.not_after`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Any

import orjson
from pydantic import ValidationError

from hotline_ingest import scan
from hotline_ingest.kinds import Event, Kind
from hotline_schemas.validation import error_items

JSON_TYPE = "application/json"
NDJSON_TYPE = "application/x-ndjson"
NDJSON_TYPES = frozenset({NDJSON_TYPE, "application/ndjson", "application/jsonl"})
ACCEPTED_TYPES = (JSON_TYPE, *sorted(NDJSON_TYPES))
_UTF8 = frozenset({"utf-8", "utf8"})
_BOM = b"\xef\xbb\xbf"

Errors = list[dict[str, str]]


class BodyError(Exception):
    """The body as a whole cannot be taken; nothing of it is produced.

    400: empty, not JSON/NDJSON, a NUL byte, nested too deep. 413: more items than allowed
    (bytes are limited while reading, see `body.py`). 415: not a JSON or NDJSON content type.
    422: a well-formed but empty JSON array.
    """

    def __init__(self, status_code: int, label: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.label = label  # bounded metric label
        self.detail = detail


class Format(Enum):
    JSON = "json"
    NDJSON = "ndjson"


@dataclass(frozen=True)
class Limits:
    max_items: int
    max_depth: int
    not_after: datetime  # the latest occurred_at accepted (ingest's clock plus the margin)


@dataclass(frozen=True)
class Rejection:
    index: int
    line: int | None
    reason: str
    label: str  # bounded metric label: "not_json", a pydantic error type or one of ours
    errors: Errors
    payload: str
    key: str | None  # the item's key field (call_id, agent_id) when it has a usable one


@dataclass
class Parsed:
    events: list[Event] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.events) + len(self.rejections)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def body_format(content_type: str | None) -> Format:
    accepted = ", ".join(ACCEPTED_TYPES)
    if not content_type or not content_type.strip():
        raise BodyError(
            415, "unsupported_media_type", f"Content-Type is missing; send one of: {accepted}"
        )
    kind = media_type(content_type)
    if kind == JSON_TYPE:
        found = Format.JSON
    elif kind in NDJSON_TYPES:
        found = Format.NDJSON
    else:
        raise BodyError(
            415,
            "unsupported_media_type",
            f"Content-Type {kind or content_type.strip()!r} is not accepted; send one of: "
            f"{accepted}",
        )
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            raise BodyError(
                415,
                "unsupported_media_type",
                f"charset {value.strip()!r} is not accepted: JSON and NDJSON bodies are UTF-8",
            )
    return found


def parse_body(body: bytes, fmt: Format, kind: Kind, limits: Limits) -> Parsed:
    body = body.removeprefix(_BOM)
    if not body.strip():
        raise BodyError(400, "empty_body", "body is empty: send a JSON object, array or NDJSON")
    nul = scan.nul_offset(body)
    if nul is not None:
        raise BodyError(400, "nul_byte", f"body holds a NUL byte (at byte {nul}); JSON has none")
    shape = scan.structure(body, lines=fmt is Format.NDJSON)
    if shape.depth > limits.max_depth:
        raise BodyError(
            400,
            "too_deep",
            f"body is nested {shape.depth} levels deep; at most {limits.max_depth} are accepted "
            "(an event is an object, a batch an array of them)",
        )
    items = _Items(kind, limits, scan.may_hold_nul_escape(body))
    if fmt is Format.NDJSON:
        return _parse_ndjson(body, items, shape)
    return _parse_json(body, items, shape)


def _parse_json(body: bytes, items: _Items, shape: scan.Structure) -> Parsed:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        hint = ""
        if _looks_like_ndjson(body):
            hint = f"; it looks like NDJSON: send it with Content-Type {NDJSON_TYPE}"
        raise BodyError(400, "body_not_json", f"body is not JSON: {exc}{hint}") from exc
    items_in_text = document if isinstance(document, list) else [document]
    arrays = 1 if isinstance(document, list) else 0
    repeats = shape.members != scan.kept_keys_of_items(items_in_text, shape, arrays)
    if not isinstance(document, list):
        marked = scan.parse_marking_repeats(body) if repeats else None
        items.add(document, 0, None, partial(_text, body), marked)
        return items.parsed
    if not document:
        raise BodyError(422, "empty_batch", "the JSON array holds no events")
    _check_count(len(document), items.limits.max_items)
    marked_all = scan.parse_marking_repeats(body) if repeats else None
    for index, item in enumerate(document):
        marked = marked_all[index] if isinstance(marked_all, list) else None
        # The element's own bytes are gone after parsing; its canonical JSON is equivalent.
        items.add(item, index, None, partial(_canonical, item), marked)
    return items.parsed


def _parse_ndjson(body: bytes, items: _Items, shape: scan.Structure) -> Parsed:
    numbered = [(n, line) for n, line in enumerate(body.splitlines(), start=1) if line.strip()]
    _check_count(len(numbered), items.limits.max_items)
    decoded: list[tuple[int, int, bytes, object]] = []
    for index, (line_no, line) in enumerate(numbered):
        try:
            decoded.append((index, line_no, line, orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            items.reject_line(index, line_no, line, exc)
    # One comparison for the whole body; per line only when it shows a repeated key somewhere.
    kept = scan.kept_keys_of_items([item for *_, item in decoded], shape, 0)
    repeats = shape.members != kept
    for index, line_no, line, item in decoded:
        marked = None
        if repeats and scan.structure(line, lines=True).members != scan.kept_keys(item):
            marked = scan.parse_marking_repeats(line)
        items.add(item, index, line_no, partial(_text, line), marked)
    items.parsed.rejections.sort(key=lambda r: r.index)
    return items.parsed


def _canonical(item: object) -> str:
    return orjson.dumps(item).decode()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _looks_like_ndjson(body: bytes) -> bool:
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        return False
    return True


def _check_count(count: int, max_items: int) -> None:
    if count > max_items:
        raise BodyError(
            413, "too_many_items", f"too many items: {count} > {max_items}; split the batch"
        )


class _Items:
    """Validates items one by one into a `Parsed`."""

    def __init__(self, kind: Kind, limits: Limits, nul_possible: bool) -> None:
        self.kind = kind
        self.limits = limits
        self.nul_possible = nul_possible
        self.parsed = Parsed()

    def reject_line(self, index: int, line_no: int, line: bytes, exc: Exception) -> None:
        error = {"field": "(line)", "error": f"not valid JSON: {exc}", "type": "not_json"}
        self._reject(index, line_no, [error], _text(line), None)

    def add(
        self,
        item: object,
        index: int,
        line: int | None,
        text: Callable[[], str],  # the item's text, made only for a rejection
        marked: object | None,  # the item from `scan.parse_marking_repeats`, if it was run
    ) -> None:
        if not isinstance(item, dict):
            error = {"field": "(body)", "error": "must be a JSON object", "type": "model_type"}
            self._reject(index, line, [error], text(), None)
            return
        errors: Errors = []
        if marked is not None:
            errors += [
                {"field": path, "error": "key appears more than once", "type": "duplicate_key"}
                for path in scan.repeated_keys(marked)
            ]
        if self.nul_possible:
            errors += [
                {"field": path, "error": "holds a NUL character (\\u0000)", "type": "nul_char"}
                for path in scan.nul_paths(item)
            ]
        try:
            event = self.kind.validate(item)
        except ValidationError as exc:
            errors += error_items(exc)
        else:
            if not errors and event.occurred_at > self.limits.not_after:
                errors.append(
                    {
                        "field": "occurred_at",
                        "error": (
                            "lies too far in the future: ingest accepts times up to "
                            f"{self.limits.not_after.isoformat(timespec='seconds')}"
                        ),
                        "type": "too_far_in_future",
                    }
                )
            if not errors:
                self.parsed.events.append(event)
                return
        self._reject(index, line, errors, text(), _key(item, self.kind.key_field))

    def _reject(
        self, index: int, line: int | None, errors: Errors, payload: str, key: str | None
    ) -> None:
        where = f"line {line}" if line is not None else f"item {index}"
        summary = "; ".join(
            e["error"] if e["field"] == "(line)" else f"{e['field']}: {e['error']}" for e in errors
        )
        self.parsed.rejections.append(
            Rejection(
                index=index,
                line=line,
                reason=f"{where}: {summary}",
                label=errors[0]["type"] if errors else "validation",
                errors=errors,
                payload=payload,
                key=key,
            )
        )


def _key(item: dict[str, Any], key_field: str) -> str | None:
    """The key of a rejected item, when it has a usable one (to key its dead letter)."""
    value = item.get(key_field)
    if isinstance(value, str) and 0 < len(value) <= 128 and "\x00" not in value:
        return value
    return None
