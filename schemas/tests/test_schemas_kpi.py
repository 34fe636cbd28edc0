"""The operational metric definitions against a hand-computed evening excerpt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline_schemas import Outcome, kpi


def t(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2013, 3, 31, h, m, s, tzinfo=UTC)


TIMES = {"answered", "abandoned", "ended"}


def call(queued: str, **kw: object) -> kpi.CallTimes:
    q = t(queued)
    fields: dict[str, object] = {"offered": q - timedelta(seconds=5), "queued": q}
    fields.update({k: t(v) if k in TIMES and isinstance(v, str) else v for k, v in kw.items()})
    return kpi.CallTimes(**fields)  # type: ignore[arg-type]


# Window (18:00, 18:15]; service level threshold 20 s, short abandon 5 s.
CALLS = [
    call("18:01:00", answered="18:01:10", ended="18:05:10", agent_id="a1"),  # 10 s, talk 240
    call("18:02:05", answered="18:02:35", ended="18:03:35", agent_id="a2"),  # 30 s, talk 60
    call("18:03:00", abandoned="18:03:03"),  # short abandon: 3 s
    call("18:04:00", abandoned="18:04:45"),  # abandoned after 45 s
    call("18:05:00", abandoned="18:06:00", within_hours=False),  # closed: in nothing
    call("18:10:00", answered="18:10:20", agent_id="a3"),  # exactly 20 s: within; still talking
    call("18:14:00"),  # waiting at 18:15 for 60 s
]
START, END = t("18:00:00"), t("18:15:00")
EXPECTED = kpi.Counts(
    offered=6,
    answered=3,
    answered_within=2,
    abandoned=1,
    short_abandoned=1,
    wait_answered_sum_s=60.0,
    talk_sum_s=300.0,
    talked=2,
)


def test_counts_of_the_window() -> None:
    assert kpi.count_window(CALLS, START, END) == EXPECTED


def test_ratios() -> None:
    assert kpi.service_level(EXPECTED) == pytest.approx(2 / 4)
    assert kpi.abandonment_rate(EXPECTED) == pytest.approx(1 / 4)
    assert kpi.average_speed_of_answer(EXPECTED) == pytest.approx(20.0)
    assert kpi.average_handle_time(EXPECTED) == pytest.approx(150.0)


def test_no_calls_gives_no_ratio_rather_than_zero() -> None:
    empty = kpi.Counts()
    assert kpi.service_level(empty) is None
    assert kpi.abandonment_rate(empty) is None
    assert kpi.average_speed_of_answer(empty) is None
    assert kpi.average_handle_time(empty) is None


def test_thresholds_change_the_classification() -> None:
    strict = kpi.count_window(
        CALLS, START, END, kpi.Thresholds(service_level_s=10, short_abandon_s=2)
    )
    assert (strict.answered_within, strict.abandoned, strict.short_abandoned) == (1, 2, 0)


def test_live_state_at_the_window_end() -> None:
    waiting = [c for c in CALLS if kpi.is_waiting(c, END)]
    assert len(waiting) == 1
    assert kpi.waiting_seconds(waiting[0], END) == 60.0
    assert kpi.agents_busy(CALLS, END) == 1
    # At 18:02:40 agent a1 and a2 talk; nobody waits (the 18:03 call is not offered yet).
    at = t("18:02:40")
    assert kpi.agents_busy(CALLS, at) == 2
    assert not any(kpi.is_waiting(c, at) for c in CALLS)


def test_per_1000() -> None:
    assert kpi.per_1000(53, 319094) == pytest.approx(0.1661, abs=1e-4)
    assert kpi.per_1000(3, None) is None


def test_sql_splices_only_identifiers() -> None:
    with pytest.raises(ValueError, match="identifier"):
        kpi.per_call_sql("hotline; DROP TABLE x", "0", "1")


# ---- queue truth: menu time apart, outcomes beyond answered and abandoned -------------------

MENU = kpi.CallTimes(offered=t("18:06:00"), abandoned=t("18:06:12"), ended=t("18:06:13"))
TIMED_OUT = call("18:07:00", abandoned="18:12:00", end_reason="queue_timeout")
KEY = call("18:08:00", ended="18:09:00", end_reason="queue_key")
V2_HANGUP = call("18:09:00", ended="18:09:40", end_reason="caller_hangup")
CLOSED_MESSAGE = kpi.CallTimes(offered=t("18:11:00"), ended=t("18:11:15"), end_reason="closed")
MORE = [*CALLS, MENU, TIMED_OUT, KEY, V2_HANGUP, CLOSED_MESSAGE]


def test_outcomes_tell_menu_hangups_and_leaving_the_queue_from_abandons() -> None:
    th = kpi.Thresholds()
    outcomes = [kpi.outcome_of(c, th) for c in MORE]
    assert [str(o) for o in outcomes] == [
        "answered",
        "answered",
        "short_abandon",
        "abandoned",
        "closed",
        "answered",
        "None",  # still waiting
        "menu_hangup",
        "left_queue",
        "left_queue",
        "abandoned",  # v2: ended in the queue by the caller, 40 s
        "closed",  # the closed message played within our hours
    ]
    assert kpi.outcome_of(CALLS[-1], th, timed_out=True) is Outcome.NO_AGENT


def test_menu_time_is_not_queue_time() -> None:
    assert MENU.wait_seconds() is None
    assert MENU.menu_seconds() == 12.0
    assert CALLS[0].menu_seconds() == 5.0
    assert CALLS[0].wait_seconds() == 10.0  # from queue entry, not from the offer
    # A source that reports no queue entry: an answered call waits from its offer.
    direct = kpi.CallTimes(offered=t("18:00:00"), answered=t("18:00:30"))
    assert (direct.wait_seconds(), direct.menu_seconds()) == (30.0, 0.0)


def test_counts_with_menu_hangups_and_calls_that_left_the_queue() -> None:
    counts = kpi.count_window(MORE, START, END)
    assert counts == kpi.Counts(
        offered=11,  # the closed-message call was offered in hours too
        answered=3,
        answered_within=2,
        abandoned=2,
        short_abandoned=1,
        wait_answered_sum_s=60.0,
        talk_sum_s=300.0,
        talked=2,
        menu_hangups=1,
        left_queue=2,
    )
    # Standard definitions: short abandons and menu hang-ups are in no ratio; leaving the
    # queue unanswered counts against the service level.
    assert counts.queued_outcomes == 7
    assert kpi.service_level(counts) == pytest.approx(2 / 7)
    assert kpi.abandonment_rate(counts) == pytest.approx(2 / 7)
    assert kpi.left_queue_rate(counts) == pytest.approx(2 / 7)


def test_waiting_counts_callers_in_the_queue_only() -> None:
    at = t("18:06:05")  # MENU is in the menu; TIMED_OUT not yet offered
    assert kpi.is_in_menu(MENU, at)
    assert not kpi.is_waiting(MENU, at)
    assert kpi.waiting_seconds(MENU, at) is None
    queued = call("18:06:00")
    assert kpi.is_waiting(queued, at)
    assert not kpi.is_in_menu(queued, at)
    assert kpi.waiting_seconds(queued, at) == 5.0  # since queue entry, the menu excluded


def test_stored_outcomes_under_todays_rules() -> None:
    th = kpi.Thresholds(service_level_s=30, short_abandon_s=10)
    assert kpi.queue_outcome(Outcome.ABANDONED, 8.0, True, th) is Outcome.SHORT_ABANDON
    assert kpi.queue_outcome(Outcome.SHORT_ABANDON, 12.0, True, th) is Outcome.ABANDONED
    # A v1 record of a caller who never queued was an abandon; now a menu hang-up.
    assert kpi.queue_outcome(Outcome.ABANDONED, 40.0, False, th) is Outcome.MENU_HANGUP
    assert kpi.queue_outcome(Outcome.LEFT_QUEUE, 300.0, True, th) is Outcome.LEFT_QUEUE
    assert kpi.answered_within(Outcome.ANSWERED, 30.0, th)
    assert not kpi.answered_within(Outcome.ANSWERED, 30.5, th)


def test_record_sql_takes_column_names_only() -> None:
    assert kpi.record_sql("per_1000", "calls", "population") == (
        "if(population > 0, calls * 1000 / population, NULL)"
    )
    with pytest.raises(ValueError, match="column names"):
        kpi.record_sql("per_1000", "calls")
    with pytest.raises(ValueError, match="identifier"):
        kpi.record_sql("per_1000", "calls); DROP TABLE x; --", "population")
