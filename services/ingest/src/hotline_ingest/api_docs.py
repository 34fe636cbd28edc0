"""OpenAPI documentation of the POST endpoints, saying what the running instance accepts.

Bodies are read and parsed by hand (three shapes, byte and depth limits, signatures), so FastAPI
cannot infer them: request bodies, the signature headers and the limits are declared through
`openapi_extra`, and the contract's schemas are added to the components from the models
themselves (never copied).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hotline_ingest.parsing import JSON_TYPE, NDJSON_TYPES
from hotline_ingest.settings import Settings
from hotline_ingest.signing import MAX_ID_CHARS, TOLERANCE_SECONDS
from hotline_schemas import AgentEvent, CallEvent, CallEventV2

SECURITY_SCHEME = "StandardWebhooks"
# RFC 9110: a 401 names how to authenticate.
WWW_AUTHENTICATE = {"WWW-Authenticate": 'StandardWebhooks realm="hotline-ingest"'}


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


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"model": Problem, "description": description}
    if headers:
        response["headers"] = headers
    return response


def responses(settings: Settings, signed: bool) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        202: {"model": IngestResult, "description": "Every item valid and acknowledged by Kafka."},
        400: _problem(
            "Body empty, not JSON (or NDJSON), holding a NUL byte, nested more than "
            f"{settings.max_depth} levels deep, or a bad Content-Length. Nothing was produced."
        ),
        413: _problem(
            f"Body larger than {settings.max_body_bytes} bytes, or more than "
            f"{settings.max_items} items. Nothing was produced."
        ),
        415: _problem(
            "Content-Type missing, not one of the documented ones, or a charset other than "
            "UTF-8. Nothing was produced."
        ),
        422: {
            "model": IngestResult,
            "description": (
                "Some or all items invalid. The valid items WERE produced and acknowledged; the "
                "invalid ones are listed and were written to the dead-letter topic. An empty "
                "JSON array is also answered 422."
            ),
        },
        503: _problem(
            "Kafka unavailable; resend the whole body after `Retry-After` seconds.",
            {"Retry-After": {"schema": {"type": "integer"}}},
        ),
    }
    if signed:
        documented[401] = _problem(
            "Unsigned, wrongly signed, or webhook-timestamp more than "
            f"{TOLERANCE_SECONDS // 60} minutes off. Checked before anything else; nothing "
            "was produced.",
            {"WWW-Authenticate": {"schema": {"type": "string"}}},
        )
    return documented


def _one_or_many(item: dict[str, Any], max_items: int) -> dict[str, Any]:
    batch = {"type": "array", "items": item, "minItems": 1, "maxItems": max_items}
    return {"oneOf": [item, batch]}


def request_body(
    settings: Settings, item: dict[str, Any], what: str, signed: bool
) -> dict[str, Any]:
    ndjson = {"type": "string", "description": f"One {what} JSON object per line."}
    content: dict[str, Any] = {JSON_TYPE: {"schema": _one_or_many(item, settings.max_items)}}
    content.update({media: {"schema": ndjson} for media in sorted(NDJSON_TYPES)})
    extra: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "description": (
                f"One {what}, a JSON array of them ({JSON_TYPE}), or NDJSON (one {what} per "
                "line; blank lines are skipped). UTF-8; a charset parameter may only say so. "
                f"At most {settings.max_body_bytes} bytes, {settings.max_items} items and "
                f"{settings.max_depth} levels of nesting. An item is also rejected for a key "
                "that appears twice, a NUL character in a string, or an occurred_at more than "
                f"{settings.max_future_seconds:g} s ahead of ingest's clock."
            ),
            "content": content,
        }
    }
    if signed:
        extra["parameters"] = [
            {
                "name": "webhook-id",
                "in": "header",
                "required": True,
                "description": (
                    "Unique per message, the same on each redelivery: a redelivered id is "
                    "answered like the first delivery without producing again."
                ),
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS},
            },
            {
                "name": "webhook-timestamp",
                "in": "header",
                "required": True,
                "description": (
                    f"Unix seconds of this attempt; at most {TOLERANCE_SECONDS} s from "
                    "ingest's clock."
                ),
                "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
            },
        ]
        extra["security"] = [{SECURITY_SCHEME: []}]
    return extra


def security_schemes() -> dict[str, Any]:
    return {
        SECURITY_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": "webhook-signature",
            "description": (
                "Standard Webhooks: `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-"
                "timestamp}.{body}` keyed with the base64-decoded part of the shared `whsec_` "
                "secret; several signatures may be given, separated by spaces."
            ),
        }
    }


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


CALL_EVENT_ITEM: dict[str, Any] = {"oneOf": [ref("CallEvent"), ref("CallEventV2")]}
AGENT_EVENT_ITEM: dict[str, Any] = ref("AgentEvent")


def contract_components() -> dict[str, Any]:
    """The contract's models and the schemas they refer to, for `components.schemas`."""
    components: dict[str, Any] = {}
    for model in (CallEvent, CallEventV2, AgentEvent):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    return components
