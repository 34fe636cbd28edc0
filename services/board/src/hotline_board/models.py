"""The JSON API's response models: they are the documentation of /api/board (OpenAPI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class WindowStats(_Model):
    """Calls offered within opening hours, counted in the window (start, end] by when their
    outcome happened; definitions in docs/metrics.md."""

    start: datetime
    end: datetime
    offered: int = Field(description="Calls offered (in hours) in the window")
    answered: int
    answered_within: int = Field(description="Answered within the service-level threshold")
    abandoned: int = Field(
        description="Hung up in the queue after at least the short-abandon threshold"
    )
    short_abandoned: int = Field(description="Hung up in the queue sooner: in no ratio")
    menu_hangups: int = Field(description="Hung up in the menu, never queued: in no ratio")
    left_queue: int = Field(
        description="Left the queue unanswered: queue time-out, key pressed, no agent logged in"
    )
    service_level: float | None = Field(
        description="answered_within / (answered + abandoned + left_queue); null when all are 0"
    )
    abandonment_rate: float | None = Field(
        description="abandoned / (answered + abandoned + left_queue)"
    )
    left_queue_rate: float | None = Field(
        description="left_queue / (answered + abandoned + left_queue)"
    )
    average_speed_of_answer_seconds: float | None
    average_handle_time_seconds: float | None = Field(
        description="Mean talk time of calls that ended in the window (no after-call work data)"
    )


class MunicipalityCalls(_Model):
    code: int | None = Field(description="Kommunekode; null: unknown or no postcode")
    name: str | None
    calls: int = Field(description="Calls offered in hours this evening")
    population: int | None = Field(description="Citizens (reference table); null if not known")
    per_1000: float | None = Field(description="calls per 1,000 citizens")


class TopicCalls(_Model):
    topic: str
    label_da: str = Field(description="The topic's Danish label (the taxonomy)")
    label_en: str
    calls: int


class QueueStats(_Model):
    queue: str | None = Field(description="The queue the provider names; null if none")
    waiting: int = Field(description="Callers in this queue at as_of")
    longest_wait_seconds: float
    in_menu: int = Field(description="Callers in the menu at as_of already routed here")
    evening: WindowStats


class TrendPoint(_Model):
    start: datetime = Field(description="Start of the half hour tonight (UTC)")
    offered: int | None = Field(description="Calls offered in it so far; null: not begun")
    forecast: float | None = Field(
        description="Mean of the same half hour on the last 4 opening evenings of this "
        "weekday that had calls; null: none to compare with"
    )


class AgentPause(_Model):
    reason: str = Field(description="Pause reason as the provider reports it; unspecified if none")
    agents: int


class AgentWindow(_Model):
    """What the agents did in a window (start, end]: from agent events and answered calls."""

    start: datetime
    end: datetime
    agents_logged_in: int = Field(description="Distinct agents logged in at some time in it")
    agents_logged_in_mean: float = Field(description="Logged-in time / the window's length")
    agent_hours: float
    on_call_seconds: float
    wrap_up_seconds: float
    paused_seconds: float
    available_seconds: float
    occupancy: float | None = Field(
        description="(on call + wrap-up) / (on call + wrap-up + available); null if none"
    )


class AgentPanel(_Model):
    """The agents beside the queue (definitions: hotline_schemas.agents, docs/metrics.md)."""

    reported: bool = Field(
        description="Agent events arrived in the last 16 hours; false: the figures are empty"
    )
    logged_in: int = Field(description="Agents logged in at as_of")
    available: int = Field(description="Logged in, not on a call, in wrap-up or paused")
    on_call: int
    wrap_up: int = Field(description="In after-call work")
    paused: int
    paused_by_reason: list[AgentPause]
    last_15m: AgentWindow
    evening: AgentWindow | None = Field(description="Since this evening's opening")


class Thresholds(_Model):
    """The business rules the figures use (HOTLINE_RULES__*)."""

    service_level_seconds: float
    service_level_target: float = Field(description="The share that should be answered within")
    short_abandon_seconds: float
    stale_after_seconds: float


class Board(_Model):
    as_of: datetime = Field(description="The board's 'now': the wall clock, or the pinned time")
    pinned: bool = Field(description="as_of was pinned (?at= or HOTLINE_BOARD_AT)")
    generated_at: datetime = Field(description="Wall-clock time the snapshot was computed")
    open_now: bool = Field(description="The hotline is open at as_of (opening schedule)")
    data_age_seconds: float | None = Field(
        description="as_of minus the newest event at or before it; null if none in a day"
    )
    stale: bool = Field(description="Open, and no event for longer than stale_after_seconds")
    waiting: int = Field(description="Callers in the queue at as_of (menu time excluded)")
    longest_wait_seconds: float = Field(
        description="Longest current wait since queue entry; 0 if nobody waits"
    )
    in_menu: int = Field(description="Callers in the phone menu at as_of, not yet queued")
    agents_busy: int = Field(description="Agents talking to a caller at as_of (call events)")
    agents: AgentPanel
    last_15m: WindowStats
    evening: WindowStats | None = Field(
        description="Since the latest opening time at or before as_of (until close + 1 h); "
        "null if the hotline has not opened in the last 14 days"
    )
    evening_opens: datetime | None
    evening_closes: datetime | None
    by_municipality: list[MunicipalityCalls] = Field(description="This evening, most calls first")
    by_queue: list[QueueStats] = Field(description="This evening and now, per queue")
    trend: list[TrendPoint] = Field(description="Tonight per half hour against the forecast")
    topics: list[TopicCalls] = Field(description="This evening's topic mix, most calls first")
    thresholds: Thresholds


class Unavailable(_Model):
    detail: str = Field(description="Why the board has no data (e.g. ClickHouse unreachable)")
