"""Turn pydantic validation errors into short reasons a provider's engineer can act on."""

from __future__ import annotations

from pydantic import ValidationError


def error_items(exc: ValidationError) -> list[dict[str, str]]:
    """One dict per problem: the field path, what is wrong, and pydantic's error type."""
    items = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(part) for part in err["loc"]) or "(body)"
        items.append({"field": loc, "error": err["msg"], "type": err["type"]})
    return items


def reason(exc: ValidationError) -> str:
    """A one-line summary, e.g. `type: Input should be 'offered', ...; extra: ...`."""
    return "; ".join(f"{item['field']}: {item['error']}" for item in error_items(exc))
