"""The agents beside the queue: their states at the board's "now" and what they did in the
last 15 minutes and this evening, from agent events and the calls they answered.

The definitions are `hotline_schemas.agents` (the same as the agent views in ClickHouse).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hotline_board.models import AgentPanel, AgentPause, AgentWindow
from hotline_schemas import AgentEventType
from hotline_schemas.agents import (
    AgentStep,
    CallSpan,
    Segment,
    State,
    figures,
    segments,
    state_at,
)


def _instant(seconds: Any) -> datetime:
    return datetime.fromtimestamp(float(seconds), UTC)


def steps_from_rows(rows: Sequence[tuple[Any, ...]]) -> list[AgentStep]:
    known = {t.value for t in AgentEventType}
    return [
        AgentStep(str(agent), AgentEventType(str(kind)), _instant(ts), str(reason) or None)
        for agent, kind, ts, reason in rows
        if str(kind) in known
    ]


def spans_from_rows(rows: Sequence[tuple[Any, ...]]) -> list[CallSpan]:
    return [
        CallSpan(str(agent), _instant(answered), _instant(ended) if float(ended) > 0 else None)
        for agent, answered, ended in rows
    ]


def _window(segs: Sequence[Segment], start: datetime, end: datetime) -> AgentWindow:
    f = figures(segs, start, end)
    seconds = (end - start).total_seconds()
    return AgentWindow(
        start=start,
        end=end,
        agents_logged_in=f.agents_logged_in,
        agents_logged_in_mean=f.agents_logged_in_mean(seconds) if seconds > 0 else 0.0,
        agent_hours=f.agent_hours,
        on_call_seconds=f.on_call_seconds,
        wrap_up_seconds=f.wrap_up_seconds,
        paused_seconds=f.paused_seconds,
        available_seconds=f.available_seconds,
        occupancy=f.occupancy,
    )


def build_panel(
    steps: Sequence[AgentStep],
    spans: Sequence[CallSpan],
    at: datetime,
    last_15m_start: datetime,
    evening_start: datetime | None,
) -> AgentPanel:
    segs = segments(steps, spans, at)
    states = state_at(segs, at)
    counts = Counter(state for state, _ in states.values())
    reasons = Counter(reason for state, reason in states.values() if state is State.PAUSED)
    return AgentPanel(
        reported=bool(steps),
        logged_in=sum(n for state, n in counts.items() if state is not State.OFF),
        available=counts[State.AVAILABLE],
        on_call=counts[State.ON_CALL],
        wrap_up=counts[State.WRAP_UP],
        paused=counts[State.PAUSED],
        paused_by_reason=[
            AgentPause(reason=r, agents=n) for r, n in sorted(reasons.items(), key=lambda x: -x[1])
        ],
        last_15m=_window(segs, last_15m_start, at),
        evening=None if evening_start is None else _window(segs, evening_start, at),
    )
