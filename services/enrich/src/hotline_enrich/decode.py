"""Raw bytes -> CallEvent (v1 or v2), or the reason they are not one (CLI and agent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from hotline_schemas import CallEvent, CallEventV2, parse_call_event
from hotline_schemas.validation import error_items, reason


@dataclass(frozen=True)
class Rejection:
    reason: str
    errors: list[dict[str, str]] = field(default_factory=list)


def decode_event(raw: bytes | str) -> CallEvent | CallEventV2 | Rejection:
    """Parse and validate one payload; never raises for bad input."""
    try:
        return parse_call_event(raw)
    except ValidationError as exc:
        items = error_items(exc)
        if any(item["type"] == "json_invalid" for item in items):
            return Rejection(reason=f"invalid JSON: {reason(exc)}", errors=items)
        return Rejection(reason=reason(exc), errors=items)
