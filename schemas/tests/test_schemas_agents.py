"""Agent states and figures (hotline_schemas.agents) on a hand-worked shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline_schemas import AgentEventType
from hotline_schemas.agents import (
    AgentStep,
    CallSpan,
    Kind,
    State,
    figures,
    next_local_midnight,
    segments,
    state_at,
)

T = AgentEventType


def t(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2013, 1, 7, h, m, s, tzinfo=UTC)  # a Monday, winter time (UTC+1)


STEPS = [
    AgentStep("a1", T.LOGGED_IN, t("17:20:00")),
    AgentStep("a1", T.RING_NO_ANSWER, t("17:40:00")),
    AgentStep("a1", T.WRAP_UP_STARTED, t("17:50:00")),
    AgentStep("a1", T.WRAP_UP_ENDED, t("17:51:00")),
    AgentStep("a1", T.PAUSED, t("18:00:00"), "break"),
    AgentStep("a1", T.LOGGED_OUT, t("18:10:00")),  # ends the pause too
    AgentStep("a2", T.LOGGED_IN, t("17:25:00")),  # never logs out
]
CALLS = [CallSpan("a1", t("17:45:00"), t("17:50:00")), CallSpan("a2", t("17:55:00"), None)]


def test_states_in_order_of_precedence() -> None:
    segs = segments(STEPS, CALLS, now=t("18:30:00"))
    assert state_at(segs, t("17:30:00"))["a1"] == (State.AVAILABLE, "")
    assert state_at(segs, t("17:40:00"))["a1"] == (State.AVAILABLE, "")  # rang, no change
    assert state_at(segs, t("17:47:00"))["a1"] == (State.ON_CALL, "")
    assert state_at(segs, t("17:50:30"))["a1"] == (State.WRAP_UP, "")
    assert state_at(segs, t("18:05:00"))["a1"] == (State.PAUSED, "break")
    assert state_at(segs, t("18:10:00"))["a1"] == (State.OFF, "")
    # a2's call has not ended and its log-in is open: both hold until "now".
    assert state_at(segs, t("18:30:00"))["a2"] == (State.ON_CALL, "")


def test_open_segments_end_now_or_at_local_midnight() -> None:
    late = segments(STEPS, CALLS, now=t("23:30:00"))
    (login,) = [s for s in late if s.agent_id == "a2" and s.kind is Kind.LOGGED_IN]
    assert login.open
    assert login.end == next_local_midnight(t("17:25:00")) == t("23:00:00")
    live = segments(STEPS, CALLS, now=t("18:30:00"))
    (call,) = [s for s in live if s.agent_id == "a2" and s.kind is Kind.ON_CALL]
    assert (call.end, call.open) == (t("18:30:00"), True)


def test_figures_of_an_interval() -> None:
    segs = segments(STEPS, CALLS, now=t("18:30:00"))
    f = figures(segs, t("17:30:00"), t("18:00:00"))
    assert f.agents_logged_in == 2
    assert f.logged_in_seconds == 3600
    assert f.on_call_seconds == 300 + 300  # a1 17:45-17:50, a2 17:55-18:00
    assert f.wrap_up_seconds == 60
    assert f.available_seconds == 3600 - 600 - 60
    assert f.occupancy == pytest.approx(660 / 3600)
    evening = figures(segs, t("17:30:00"), t("18:30:00"))
    assert evening.paused_by_reason == (("break", 600.0),)
    assert evening.agents_logged_in_mean(3600) == pytest.approx((40 * 60 + 60 * 60) / 3600)
    assert evening.agent_hours == pytest.approx(100 / 60)
    assert figures(segs, t("19:00:00"), t("19:00:00") + timedelta(minutes=15)).occupancy is None
