"""This evening per queue: the same window figures and live state as the whole board, one row
per queue the provider names (an unnamed queue is listed as such)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from hotline_board.models import QueueStats, WindowStats
from hotline_schemas import kpi


def queues(
    window_rows: Sequence[Sequence[Any]],
    live_rows: Sequence[Sequence[Any]],
    start: datetime,
    end: datetime,
    counts_of: Callable[[Sequence[Any]], kpi.Counts],
    stats: Callable[[datetime, datetime, kpi.Counts], WindowStats],
) -> list[QueueStats]:
    live = {str(q): (int(w), float(longest or 0.0), int(m)) for q, w, longest, m, _ in live_rows}
    out = []
    for row in window_rows:
        name = str(row[0])
        counts = counts_of(row[1:])
        waiting, longest, in_menu = live.pop(name, (0, 0.0, 0))
        if counts == kpi.Counts() and not waiting:
            continue  # e.g. the calls heard only the closed message: no queue to show
        out.append(_queue(name, waiting, longest, in_menu, stats(start, end, counts)))
    # Queues with callers waiting now and nothing offered this evening yet (callers still in
    # the menu are in no queue yet).
    for name, (waiting, longest, in_menu) in live.items():
        if waiting:
            out.append(_queue(name, waiting, longest, in_menu, stats(start, end, kpi.Counts())))
    return sorted(out, key=lambda q: (-q.evening.offered, q.queue or ""))


def _queue(name: str, waiting: int, longest: float, in_menu: int, w: WindowStats) -> QueueStats:
    return QueueStats(
        queue=name or None,
        waiting=waiting,
        longest_wait_seconds=round(longest, 1),
        in_menu=in_menu,
        evening=w,
    )
