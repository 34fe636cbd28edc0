"""The operational metric definitions against a hand-computed evening excerpt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline_schemas import kpi


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
