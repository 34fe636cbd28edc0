"""OpenAPI documentation of `POST /v1/events`.

The body is parsed by hand (three shapes, byte limits), so FastAPI cannot infer it: the
request body is declared through `openapi_extra`, and the contract's `CallEvent` schema is
added to the components from the model itself (never copied).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hotline_schemas import CallEvent

CALL_EVENT_REF = {"$ref": "#/components/schemas/CallEvent"}


class RejectedItem(BaseModel):
    index: int = Field(description="0-based position of the item in the array / NDJSON items.")
    line: int | None = Field(description="1-based line number for NDJSON bodies, else null.")
    reason: str
    errors: list[dict[str, str]] = Field(description="One entry per problem: field, error, type.")


class IngestResult(BaseModel):
    accepted: int = Field(description="Valid events Kafka acknowledged (acks=all).")
    rejected: list[RejectedItem] = Field(
        description="Invalid items; each one is also on the dead-letter topic with its reason."
    )
    detail: str


class Problem(BaseModel):
    detail: str


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": IngestResult, "description": "Every item valid and acknowledged by Kafka."},
    400: _problem("Body empty, not JSON/NDJSON, or a bad Content-Length."),
    413: _problem("Body larger than the byte limit, or more items than allowed."),
    422: {
        "model": IngestResult,
        "description": (
            "Some or all items invalid. The valid items WERE produced and acknowledged; the "
            "invalid ones are listed and were written to the dead-letter topic. An empty "
            "JSON array is also answered 422."
        ),
    },
    503: {
        "model": Problem,
        "description": "Kafka unavailable; resend the whole body after `Retry-After` seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


def request_body(max_body_bytes: int, max_items: int) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": (
                "One CallEvent, a JSON array of them, or NDJSON (one CallEvent per line; blank "
                f"lines are skipped). At most {max_body_bytes} bytes and {max_items} items."
            ),
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [CALL_EVENT_REF, {"type": "array", "items": CALL_EVENT_REF}]
                    }
                },
                "application/x-ndjson": {
                    "schema": {
                        "type": "string",
                        "description": "One CallEvent JSON object per line.",
                    }
                },
            },
        }
    }


def call_event_components() -> dict[str, Any]:
    """CallEvent and the schemas it refers to, keyed by name for `components.schemas`."""
    schema = CallEvent.model_json_schema(ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = schema.pop("$defs", {})
    components["CallEvent"] = schema
    return components
