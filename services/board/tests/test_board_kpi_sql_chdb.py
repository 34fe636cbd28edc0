"""The SQL definitions give the same numbers as the Python ones (current ClickHouse, chdb)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hotline_board import queries
from hotline_board.windows import unix
from hotline_schemas import kpi

DB = "board_test"


def t(hms: str) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2013, 4, 7, h, m, s, tzinfo=UTC)


def test_window_counts_and_ratios_match_python(
    chdb: Any, example_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    insert_calls(chdb, DB, example_calls)
    insert_calls(chdb, DB, example_calls)  # redelivered: FINAL must hide the duplicates
    lo, hi = t("18:00:00"), t("18:15:00")
    (row,) = chdb.execute(queries.window(DB, unix(lo), unix(hi), kpi.Thresholds()))
    expected = kpi.count_window(example_calls, lo, hi)
    assert kpi.Counts(*row[:10]) == expected
    assert expected == kpi.Counts(6, 3, 2, 1, 1, 60.0, 300.0, 2)  # hand-computed
    service_level, abandonment, asa, aht = row[10:]
    assert service_level == pytest.approx(kpi.service_level(expected))
    assert abandonment == pytest.approx(kpi.abandonment_rate(expected))
    assert asa == pytest.approx(kpi.average_speed_of_answer(expected))
    assert aht == pytest.approx(kpi.average_handle_time(expected))


def test_live_state_matches_python(
    chdb: Any, example_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    insert_calls(chdb, DB, example_calls)
    for hms, waiting, longest, busy in (("18:15:00", 1, 60.0, 1), ("18:02:40", 0, 0.0, 2)):
        at = t(hms)
        (row,) = chdb.execute(queries.live(DB, unix(at), kpi.Thresholds()))
        assert row == (waiting, longest, 0, busy)
        assert sum(kpi.is_waiting(c, at) for c in example_calls) == waiting
        assert kpi.agents_busy(example_calls, at) == busy


def test_menu_hangups_and_leaving_the_queue_match_python(
    chdb: Any, queue_truth_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    insert_calls(chdb, DB, queue_truth_calls)
    lo, hi = t("18:00:00"), t("18:15:00")
    for th in (kpi.Thresholds(), kpi.Thresholds(service_level_s=10, short_abandon_s=45)):
        (row,) = chdb.execute(queries.window(DB, unix(lo), unix(hi), th))
        expected = kpi.count_window(queue_truth_calls, lo, hi, th)
        assert kpi.Counts(*row[:10]) == expected
        assert (expected.menu_hangups, expected.left_queue) == (1, 2)
        assert row[10] == pytest.approx(kpi.service_level(expected))
    at = t("18:15:00")
    (live,) = chdb.execute(queries.live(DB, unix(at), kpi.Thresholds()))
    in_menu = sum(kpi.is_in_menu(c, at) for c in queue_truth_calls)
    waiting = [c for c in queue_truth_calls if kpi.is_waiting(c, at)]
    assert (in_menu, len(waiting)) == (1, 1)
    assert live == (1, 60.0, 1, 1)
