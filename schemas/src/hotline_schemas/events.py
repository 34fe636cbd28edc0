"""Contract v1: the call event the telephony provider sends, and its enriched form.

These models are the single source of the contract. JSON Schema files under
`schemas/jsonschema/` are generated from them (`hotline schemas generate`) and a test
fails when the committed copy drifts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(max_length=64)]


class EventType(StrEnum):
    OFFERED = "offered"
    QUEUED = "queued"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    ENDED = "ended"


class _Strict(BaseModel):
    # Unknown fields are a contract violation, not something to carry along silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallEvent(_Strict):
    """One lifecycle step of one call, as the provider reports it."""

    schema_version: Literal[1] = Field(description="Contract version.")
    event_id: Identifier = Field(
        description="Unique per event at the provider; the idempotency key end to end."
    )
    call_id: Identifier = Field(description="One call; the Kafka message key.")
    type: EventType = Field(description="Lifecycle step.")
    occurred_at: AwareDatetime = Field(
        description="When it happened at the provider (RFC 3339 with offset)."
    )
    line: E164 = Field(description="The number dialled, for the hotline +4570200000.")
    caller_number: E164 | None = Field(
        default=None,
        description="Personal data: pseudonymised in enrich, never stored raw. Null if withheld.",
    )
    caller_postcode: ShortText | None = Field(
        default=None,
        description=(
            "Keyed by the caller in the IVR. A value that is no Danish postcode maps to no "
            "municipality; it does not reject the event."
        ),
    )
    ivr_choice: ShortText | None = Field(default=None, description="IVR menu digit chosen.")
    wrap_up_code: ShortText | None = Field(
        default=None, description="Code the agent sets after the call."
    )
    agent_id: ShortText | None = Field(default=None)
    queue: ShortText | None = Field(default=None)


class EnrichedEvent(_Strict):
    """A call event after enrichment: the caller number replaced by a pseudonym."""

    schema_version: Literal[1] = 1
    event_id: Identifier
    call_id: Identifier
    type: EventType
    occurred_at: AwareDatetime
    line: E164
    caller_key: str | None = Field(
        description="Keyed HMAC-SHA256 pseudonym of the caller number; null if withheld."
    )
    caller_postcode: ShortText | None
    postcode_known: bool = Field(description="The postcode is in the reference table.")
    municipality_code: int | None = Field(
        description="Primary municipality (3-digit kommunekode); null for unknown postcodes."
    )
    municipality_name: str | None
    municipality_candidates: list[int] = Field(
        description="Every municipality the postcode overlaps, primary first."
    )
    municipality_ambiguous: bool = Field(
        description="The postcode overlaps several municipalities."
    )
    in_catchment: bool = Field(description="The primary municipality is one of the seven.")
    ivr_choice: ShortText | None
    wrap_up_code: ShortText | None
    agent_id: ShortText | None
    queue: ShortText | None
    topic: str = Field(description="Taxonomy topic: wrap-up code, then IVR choice, then unknown.")
    topic_source: Literal["wrap_up_code", "ivr_choice", "none"]
    in_scope: bool = Field(description="The topic is within the hotline's scope.")
    within_hours: bool = Field(
        description="This event's time falls within the opening hours (Europe/Copenhagen)."
    )
    enriched_at: datetime


class DeadLetter(_Strict):
    """A rejected input, kept with its reason and the original payload."""

    stage: Literal["ingest", "enrich", "sink"]
    reason: str
    errors: list[dict[str, str]] = Field(default_factory=list)
    payload: str = Field(description="The original bytes, decoded as UTF-8 with replacement.")
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    rejected_at: AwareDatetime
