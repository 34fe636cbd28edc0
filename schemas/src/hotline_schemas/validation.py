"""Turn pydantic validation errors into short reasons a provider's engineer can act on."""

from __future__ import annotations

from pydantic import ValidationError

# Tags of the versioned call-event union (events.AnyCallEvent): pydantic puts them first.
_UNION_TAGS = frozenset({"1", "2"})
# The union's own error (events.AnyCallEvent's custom_error_type) has no location: it is about
# the discriminator, so it is named after that field.
_DISCRIMINATOR_ERRORS = {"schema_version": "schema_version"}


def error_items(exc: ValidationError) -> list[dict[str, str]]:
    """One dict per problem: the field path, what is wrong, and pydantic's error type."""
    items = []
    for err in exc.errors(include_url=False, include_input=False):
        parts = list(err["loc"])
        if parts and parts[0] in _UNION_TAGS:
            parts = parts[1:]  # the tag of the union member (schema_version), not a field
        loc = ".".join(str(part) for part in parts) or _DISCRIMINATOR_ERRORS.get(
            err["type"], "(body)"
        )
        items.append({"field": loc, "error": err["msg"], "type": err["type"]})
    return items


def reason(exc: ValidationError) -> str:
    """A one-line summary, e.g. `type: Input should be 'offered', ...; extra: ...`."""
    return "; ".join(f"{item['field']}: {item['error']}" for item in error_items(exc))
