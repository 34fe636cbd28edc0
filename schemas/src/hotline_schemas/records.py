"""The call record: one row per finished call, built in enrich from the call's events.

Enrich emits a record when the call's `ended` event arrives, or after the call timeout (in
stream time) when it never does; a late event that changes the record re-emits it with a
higher `version`. Consumers keep the highest `version` per `call_id` (ClickHouse:
ReplacingMergeTree(version) read with FINAL or argMax).

Definitions (`hotline_schemas.kpi`, which builds the outcome):

- menu = from `offered` to queue entry (`queued`), or to the end of a call that never queued;
- wait = from queue entry to `answered`, else `abandoned`, else (unanswered) `ended`; for an
  answered call whose source reported no queue entry, from `offered`; null for a call that
  never queued;
- talk = from `answered` to `ended`;
- outcome, first match wins: `answered`; `closed` (offered outside the opening hours, or the
  provider played the closed message); `no_agent` (closed by the timeout: no answer, abandon
  or end ever arrived); `left_queue` (end reason queue_timeout, queue_key or queue_empty);
  `menu_hangup` (ended unanswered, never queued); `short_abandon` (ended in the queue after
  less than the short-abandon threshold, default 5 s); `abandoned` (the same, later).

Versions: schema_version 2 adds `menu_seconds`, `end_reason`, `origin`, `source` and
`first_seen_at`, and the outcomes `menu_hangup` and `left_queue`; in version 1 a call that
hung up in the menu was `abandoned` or `short_abandon` with its wait counted from `offered`.
Version 1 records still validate (the new fields take their defaults), so readers keep
working; deploy readers (the sink) before the writer (enrich): a v1 reader rejects v2 records.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hotline_schemas.events import EndReason, Origin


class Outcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"  # hung up in the queue, after the short-abandon threshold
    SHORT_ABANDON = "short_abandon"  # hung up in the queue sooner: in no ratio
    MENU_HANGUP = "menu_hangup"  # hung up in the menu, never queued: in no ratio
    LEFT_QUEUE = "left_queue"  # queue time-out, key pressed to leave, no agent logged in
    CLOSED = "closed"  # outside opening hours, or the closed message played
    NO_AGENT = "no_agent"  # timed out in the pipeline: no answer, abandon or end arrived


class CallRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1, 2] = 2
    call_id: str
    version: int = Field(
        ge=1,
        description=(
            "Grows with every re-emission after a late event (the number of distinct events "
            "the record is built from); keep the highest per call_id."
        ),
    )
    updated_at: AwareDatetime = Field(description="When enrich built this version (wall clock).")
    started_at: AwareDatetime = Field(
        description="offered_at, or the earliest event time when no offered event arrived."
    )
    offered_at: AwareDatetime | None
    queued_at: AwareDatetime | None
    answered_at: AwareDatetime | None
    abandoned_at: AwareDatetime | None
    ended_at: AwareDatetime | None
    wait_seconds: float | None = Field(
        description=(
            "In the queue: queue entry to answered, abandoned or (unanswered) ended; from "
            "offered for an answered call without a queue entry; null if never queued."
        )
    )
    menu_seconds: float | None = Field(
        default=None,
        description="In the menu: offered to queue entry, or to the end if never queued.",
    )
    talk_seconds: float | None = Field(description="Answered to ended.")
    outcome: Outcome
    end_reason: EndReason | None = Field(
        default=None,
        description="Why the unanswered call ended, when the provider said so (v2 events).",
    )
    closed_reason: Literal["ended", "timeout"] = Field(
        description="ended: the end event arrived; timeout: closed after the call timeout."
    )
    closed_by_timeout: bool = Field(description="No end event arrived; closed after the timeout.")
    within_hours: bool = Field(description="Decided at the offered time.")
    topic: str = Field(description="The end event's wrap-up topic, else the latest known topic.")
    topic_source: Literal["wrap_up_code", "ivr_choice", "none"]
    in_scope: bool
    wrap_up_code: str | None
    queue: str | None
    agent_id: str | None = Field(description="The agent who answered.")
    line: str
    municipality_code: int | None
    municipality_name: str | None
    in_catchment: bool
    caller_postcode: str | None
    caller_key: str | None
    event_count: int = Field(ge=1, description="Distinct events (by event_id) behind the record.")
    origin: Origin = Field(
        default=Origin.LIVE, description="import if any of the call's events was imported."
    )
    source: str | None = Field(default=None, description="The provider format, if known.")
    first_seen_at: AwareDatetime | None = Field(
        default=None,
        description=(
            "occurred_at of the first event enrich received for the call: never changes for "
            "a call (ClickHouse partitions call_records by its month; null in v1 records, "
            "stored as started_at)."
        ),
    )
