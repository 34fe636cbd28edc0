"""The call record: one row per finished call, built in enrich from the call's events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    SHORT_ABANDON = "short_abandon"
    CLOSED = "closed"
    NO_AGENT = "no_agent"


class CallRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    call_id: str
    offered_at: AwareDatetime | None
    queued_at: AwareDatetime | None
    answered_at: AwareDatetime | None
    abandoned_at: AwareDatetime | None
    ended_at: AwareDatetime | None
    wait_seconds: float | None = Field(description="Offered (or queued) to answered/abandoned.")
    talk_seconds: float | None = Field(description="Answered to ended.")
    outcome: Outcome
    closed_by_timeout: bool = Field(description="No end event arrived; closed after the timeout.")
    within_hours: bool = Field(description="Decided at the offered time.")
    topic: str
    in_scope: bool
    municipality_code: int | None
    municipality_name: str | None
    in_catchment: bool
    caller_postcode: str | None
    caller_key: str | None
    agent_id: str | None
    event_count: int
    built_at: datetime
