"""The call record: one row per finished call, built in enrich from the call's events.

Enrich emits a record when the call's `ended` event arrives, or after the call timeout (in
stream time) when it never does; a late event that changes the record re-emits it with a
higher `version`. Consumers keep the highest `version` per `call_id` (ClickHouse:
ReplacingMergeTree(version) read with FINAL or argMax).

Definitions (the same as `hotline_schemas.kpi`):

- wait = from `queued` (or `offered` when the call was never queued) to `answered`, else to
  `abandoned`, else (a call that ended unanswered) to `ended`;
- talk = from `answered` to `ended`;
- outcome, first match wins: `answered` (an answer event exists); `closed` (offered outside
  the opening hours); `short_abandon` (abandoned, or ended unanswered, after less than the
  short-abandon threshold, default 5 s); `abandoned` (the same, waited at least that long);
  `no_agent` (closed by the timeout: the provider never reported an answer, abandon or end).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    SHORT_ABANDON = "short_abandon"
    CLOSED = "closed"
    NO_AGENT = "no_agent"


class CallRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
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
        description="Queued (or offered) to answered, abandoned or (unanswered) ended."
    )
    talk_seconds: float | None = Field(description="Answered to ended.")
    outcome: Outcome
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
