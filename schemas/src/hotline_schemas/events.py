"""The contract: the call events providers send (v1 and v2), agent events, and their enriched
form.

These models are the single source of the contract. JSON Schema files under
`schemas/jsonschema/` are generated from them (`hotline schemas generate`) and a test
fails when the committed copy drifts.

Strictness, because every value accepted here must be processable by every later stage:

- `schema_version` is a JSON integer (not `true`, not `1.0`);
- timestamps are RFC 3339 strings with an offset (not Unix numbers, not naive times) inside
  `EVENT_TIME_MIN` .. `EVENT_TIME_MAX`: a year-9999 or year-1 instant cannot be converted to
  local time and would stop enrich;
- unknown fields are rejected.

v2 adds what real providers tell apart and v1 cannot carry: why a call that was never
answered ended (`end_reason`), and whether an event is live or imported history (`origin`,
`source`). v1 events keep being accepted; enrich reads both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    model_validator,
)

E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(max_length=64)]

# The window of event times every stage can handle (local-time conversion, ClickHouse
# DateTime). Wide enough for any history a provider can export and for clock skew.
EVENT_TIME_MIN = datetime(2000, 1, 1, tzinfo=UTC)
EVENT_TIME_MAX = datetime(2100, 1, 1, tzinfo=UTC)

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$"
)


def _rfc3339_only(value: Any) -> Any:
    # Python callers build events with datetime objects; wire input must be a string. Pydantic
    # alone would also take Unix numbers (an integer became a 1970 timestamp). A missing
    # offset is left to AwareDatetime, which names that error precisely.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError(
            "must be an RFC 3339 timestamp string with an offset, e.g. 2013-03-31T18:30:00+02:00"
        )
    return value


def _in_window(value: datetime) -> datetime:
    # The wall-clock year first: comparing year 1 at +14:00 with a UTC bound overflows.
    in_years = EVENT_TIME_MIN.year <= value.year < EVENT_TIME_MAX.year
    if not in_years or not EVENT_TIME_MIN <= value < EVENT_TIME_MAX:
        raise ValueError(
            f"must lie between {EVENT_TIME_MIN.date()} and {EVENT_TIME_MAX.date()} (UTC)"
        )
    return value


EventTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only), AfterValidator(_in_window)]


def _exact_int(value: Any) -> Any:
    # `true == 1` and `1.0 == 1` in Python: a Literal[1] alone would accept both.
    if type(value) is not int:
        raise ValueError("must be a JSON integer")
    return value


class EventType(StrEnum):
    OFFERED = "offered"
    QUEUED = "queued"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a call (or its time in the queue) ended, where the provider says so (v2)."""

    CALLER_HANGUP = "caller_hangup"  # the caller hung up (in the menu, the queue or the call)
    AGENT_HANGUP = "agent_hangup"  # the agent ended an answered call
    QUEUE_TIMEOUT = "queue_timeout"  # the queue's maximum wait passed (Asterisk EXITWITHTIMEOUT)
    QUEUE_KEY = "queue_key"  # the caller pressed a key to leave the queue (EXITWITHKEY)
    QUEUE_EMPTY = "queue_empty"  # no agent logged in to take the call (EXITEMPTY)
    TRANSFER = "transfer"  # the agent transferred the call elsewhere
    CLOSED = "closed"  # the closed message played (outside opening hours)
    SYSTEM = "system"  # the provider ended it for another reason


class Origin(StrEnum):
    LIVE = "live"  # reported as it happened: counts for latency and stall alerts
    IMPORT = "import"  # history loaded later: counted in figures, never pages anyone


class _Strict(BaseModel):
    # Unknown fields are a contract violation, not something to carry along silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CallEventFields(_Strict):
    event_id: Identifier = Field(
        description="Unique per event at the provider; the idempotency key end to end."
    )
    call_id: Identifier = Field(description="One call; the Kafka message key.")
    type: EventType = Field(description="Lifecycle step.")
    occurred_at: EventTime = Field(
        description=(
            "When it happened at the provider: an RFC 3339 string with offset, between "
            "2000-01-01 and 2100-01-01 UTC."
        )
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


class CallEvent(_CallEventFields):
    """v1: one lifecycle step of one call, as the provider reports it."""

    schema_version: Annotated[Literal[1], BeforeValidator(_exact_int)] = Field(
        description="Contract version (a JSON integer)."
    )


class CallEventV2(_CallEventFields):
    """v2: v1 plus why an unanswered call ended, and whether it is live or imported."""

    schema_version: Annotated[Literal[2], BeforeValidator(_exact_int)] = Field(
        description="Contract version (a JSON integer)."
    )
    end_reason: EndReason | None = Field(
        default=None,
        description=(
            "On `abandoned` and `ended`: why the call ended, when the provider says so "
            "(caller hang-up, queue time-out, key pressed to leave, no agents, ...)."
        ),
    )
    origin: Origin = Field(
        default=Origin.LIVE,
        description="live, or import (history loaded later: never counted for latency alerts).",
    )
    source: ShortText | None = Field(
        default=None,
        description="The format the event came from: asterisk-queue-log, connect-ctr, cdr-csv, ...",
    )


def _version_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        version = value.get("schema_version")
    else:
        version = getattr(value, "schema_version", None)
    return str(version) if type(version) is int else None


AnyCallEvent = Annotated[
    Annotated[CallEvent, Tag("1")] | Annotated[CallEventV2, Tag("2")],
    Discriminator(
        _version_tag,
        custom_error_type="schema_version",
        custom_error_message="schema_version must be the JSON integer 1 or 2",
    ),
]
_ANY_CALL_EVENT: TypeAdapter[CallEvent | CallEventV2] = TypeAdapter(AnyCallEvent)


def parse_call_event(data: bytes | str | dict[str, Any]) -> CallEvent | CallEventV2:
    """A v1 or v2 event from JSON text or a decoded object; raises ValidationError."""
    if isinstance(data, dict):
        return _ANY_CALL_EVENT.validate_python(data)
    return _ANY_CALL_EVENT.validate_json(data)


def as_v2(event: CallEvent | CallEventV2) -> CallEventV2:
    """The v2 form of any call event (a v1 event is live, with no end reason)."""
    if isinstance(event, CallEventV2):
        return event
    fields = event.model_dump(exclude={"schema_version"})
    return CallEventV2.model_construct(schema_version=2, **fields)


class AgentEventType(StrEnum):
    LOGGED_IN = "logged_in"
    LOGGED_OUT = "logged_out"
    PAUSED = "paused"
    UNPAUSED = "unpaused"
    RING_NO_ANSWER = "ring_no_answer"  # a call rang at this agent, who did not pick up
    WRAP_UP_STARTED = "wrap_up_started"  # after-call work began (the call itself has ended)
    WRAP_UP_ENDED = "wrap_up_ended"


class AgentEvent(_Strict):
    """v1: a change in one agent's state, as the provider reports it (its own topic)."""

    schema_version: Annotated[Literal[1], BeforeValidator(_exact_int)] = Field(
        description="Contract version (a JSON integer)."
    )
    event_id: Identifier = Field(description="Unique per event; the idempotency key.")
    agent_id: Identifier = Field(description="The agent; the Kafka message key.")
    type: AgentEventType
    occurred_at: EventTime = Field(
        description="RFC 3339 string with offset, between 2000-01-01 and 2100-01-01 UTC."
    )
    queue: ShortText | None = Field(
        default=None, description="The queue it concerns; null for all of the agent's queues."
    )
    reason: ShortText | None = Field(
        default=None, description="Pause reason (break, meeting, training, ...) when given."
    )
    call_id: Identifier | None = Field(
        default=None, description="The call, for ring_no_answer and wrap-up events."
    )
    origin: Origin = Field(default=Origin.LIVE)
    source: ShortText | None = Field(default=None)


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
    source_version: int = Field(default=1, description="The raw event's schema_version.")
    end_reason: EndReason | None = Field(default=None, description="From v2 events; else null.")
    origin: Origin = Field(default=Origin.LIVE, description="live or import.")
    source: ShortText | None = Field(default=None, description="The provider format, if known.")


class DeadLetter(_Strict):
    """A rejected input, kept with its reason: readable with caller numbers masked, and the
    exact original sealed (encrypted) for a replay.

    Build one with `hotline_schemas.privacy.make_dead_letter`, never by hand, and get the
    original back with `hotline_schemas.privacy.unseal`. Letters written before sealing
    existed have `redacted` false and the original text in `payload`.
    """

    stage: Literal["ingest", "enrich", "sink", "import"]
    reason: str
    errors: list[dict[str, str]] = Field(default_factory=list)
    payload: str = Field(
        description=(
            "What was rejected, for people: the original bytes as UTF-8 (invalid bytes "
            "replaced) with every phone-number-like digit run masked by '#' when `redacted`. "
            "Never replay it: replay `sealed_payload`."
        )
    )
    redacted: bool = Field(
        default=False,
        description="`payload` has caller numbers masked (every letter built by make_dead_letter).",
    )
    sealed_payload: str | None = Field(
        default=None,
        description=(
            "The exact original bytes, AES-256-GCM encrypted: base64 of the 12-byte nonce "
            "followed by ciphertext and tag. Null when no dead-letter key was configured."
        ),
    )
    key_id: str | None = Field(
        default=None,
        description="Id of the dead-letter key that sealed `sealed_payload` (see docs/privacy.md).",
    )
    source_topic: str | None = None
    source_format: ShortText | None = Field(
        default=None,
        description=(
            "stage import: the provider format the payload is in (asterisk-queue-log, "
            "connect-ctr, cdr-csv), so a replay can convert it again."
        ),
    )
    source_partition: int | None = None
    source_offset: int | None = None
    rejected_at: AwareDatetime

    @model_validator(mode="after")
    def _sealed_with_a_key(self) -> Self:
        if (self.sealed_payload is None) != (self.key_id is None):
            raise ValueError("sealed_payload and key_id come together")
        if self.sealed_payload is not None and not self.redacted:
            raise ValueError("a sealed dead letter must carry the redacted payload")
        return self
