"""One board snapshot: run the queries, turn rows into the response model."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from hotline_board import queries
from hotline_board.agent_panel import build_panel, spans_from_rows, steps_from_rows
from hotline_board.models import Board, MunicipalityCalls, Thresholds, TopicCalls, WindowStats
from hotline_board.windows import LAST_WINDOW, latest_evening, unix
from hotline_schemas import kpi
from hotline_schemas.hours import OpeningSchedule, is_open

Rows = list[tuple[Any, ...]]


class Executor(Protocol):
    def execute(self, query: str) -> Rows: ...


@dataclass(frozen=True)
class BoardConfig:
    database: str
    schedule: OpeningSchedule
    populations: Mapping[int, int]
    thresholds: kpi.Thresholds = field(default_factory=kpi.Thresholds)
    service_level_target: float = kpi.SERVICE_LEVEL_TARGET
    stale_after_s: float = 120.0


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _window(ex: Executor, cfg: BoardConfig, start: datetime, end: datetime) -> WindowStats:
    sql = queries.window(cfg.database, unix(start), unix(end), cfg.thresholds)
    ((offered, answered, within, abandoned, short, wait_sum, talk_sum, talked, menu, left, *_),) = (
        ex.execute(sql)
    )
    counts = kpi.Counts(
        int(offered),
        int(answered),
        int(within),
        int(abandoned),
        int(short),
        float(wait_sum),
        float(talk_sum),
        int(talked),
        int(menu),
        int(left),
    )
    # The ratios come from the Python definitions; the SQL ones (same formulas) serve Grafana.
    return WindowStats(
        start=start,
        end=end,
        offered=counts.offered,
        answered=counts.answered,
        answered_within=counts.answered_within,
        abandoned=counts.abandoned,
        short_abandoned=counts.short_abandoned,
        menu_hangups=counts.menu_hangups,
        left_queue=counts.left_queue,
        service_level=kpi.service_level(counts),
        abandonment_rate=kpi.abandonment_rate(counts),
        left_queue_rate=kpi.left_queue_rate(counts),
        average_speed_of_answer_seconds=kpi.average_speed_of_answer(counts),
        average_handle_time_seconds=kpi.average_handle_time(counts),
    )


def _municipalities(rows: Sequence[tuple[Any, ...]], pops: Mapping[int, int]) -> list[Any]:
    out = []
    for code, name, calls in rows:
        known = int(code) or None
        population = pops.get(known) if known is not None else None
        out.append(
            MunicipalityCalls(
                code=known,
                name=name or None,
                calls=int(calls),
                population=population,
                per_1000=kpi.per_1000(int(calls), population),
            )
        )
    return out


def build(ex: Executor, cfg: BoardConfig, at: datetime, *, pinned: bool) -> Board:
    """The board at instant `at` (timezone-aware)."""
    at = at.astimezone(UTC).replace(microsecond=0)
    t = unix(at)
    ((newest, events),) = ex.execute(queries.data_age(cfg.database, t))
    age = float(t - int(newest)) if int(events) else None
    open_now = is_open(cfg.schedule, at)
    ((waiting, longest, in_menu, busy),) = ex.execute(queries.live(cfg.database, t, cfg.thresholds))
    evening = latest_evening(cfg.schedule, at)
    evening_stats = municipalities = topic_rows = None
    if evening is not None:
        end = evening.window_end(at)
        evening_stats = _window(ex, cfg, evening.opens, end)
        lo, hi = unix(evening.opens), unix(end)
        municipalities = ex.execute(queries.by_municipality(cfg.database, lo, hi))
        topic_rows = ex.execute(queries.topics(cfg.database, lo, hi))
    lookback = t - queries.AGENT_LOOKBACK_S
    panel = build_panel(
        steps_from_rows(ex.execute(queries.agent_events(cfg.database, lookback, t))),
        spans_from_rows(ex.execute(queries.answered_calls(cfg.database, lookback, t))),
        at,
        at - LAST_WINDOW,
        evening.opens if evening is not None and evening.opens <= at else None,
    )
    return Board(
        as_of=at,
        pinned=pinned,
        generated_at=datetime.now(UTC),
        open_now=open_now,
        data_age_seconds=age,
        stale=open_now and (age is None or age > cfg.stale_after_s),
        waiting=int(waiting),
        longest_wait_seconds=round(_number(longest) or 0.0, 1),
        in_menu=int(in_menu),
        agents_busy=int(busy),
        agents=panel,
        last_15m=_window(ex, cfg, at - LAST_WINDOW, at),
        evening=evening_stats,
        evening_opens=evening.opens if evening else None,
        evening_closes=evening.closes if evening else None,
        by_municipality=_municipalities(municipalities or [], cfg.populations),
        topics=[TopicCalls(topic=str(a), calls=int(b)) for a, b in topic_rows or []],
        thresholds=Thresholds(
            service_level_seconds=cfg.thresholds.service_level_s,
            service_level_target=cfg.service_level_target,
            short_abandon_seconds=cfg.thresholds.short_abandon_s,
            stale_after_seconds=cfg.stale_after_s,
        ),
    )


def parse_at(text: str) -> datetime:
    """`?at=` value: RFC 3339 with an offset (or Z)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    if value.tzinfo is None:
        raise ValueError("at needs an offset, e.g. 2013-03-31T19:00:00Z")
    return value
