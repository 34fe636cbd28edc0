"""Generate the JSON Schema files from the pydantic models (never edit them by hand)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from hotline_schemas.events import AgentEvent, CallEvent, CallEventV2, DeadLetter, EnrichedEvent
from hotline_schemas.records import CallRecord

MODELS: dict[str, type[BaseModel]] = {
    "call-event.v1.json": CallEvent,
    "call-event.v2.json": CallEventV2,
    "agent-event.v1.json": AgentEvent,
    "enriched-event.v1.json": EnrichedEvent,
    "call-record.v2.json": CallRecord,  # reads v1 records too (new fields default)
    "dead-letter.v1.json": DeadLetter,
}


def render() -> dict[str, str]:
    """File name -> file text, stable across runs so drift shows in `git diff`."""
    out = {}
    for filename, model in MODELS.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://hotline.example/schemas/{filename}"
        out[filename] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in render().items():
        path = directory / filename
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
