"""One board snapshot: run the queries, turn rows into the response model."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from hotline_board import queries, trend
from hotline_board.agent_panel import build_panel, spans_from_rows, steps_from_rows
from hotline_board.models import (
    Board,
    MunicipalityCalls,
    QueueStats,
    Thresholds,
    TopicCalls,
    TrendPoint,
    WindowStats,
)
from hotline_board.queue_split import queues
from hotline_board.windows import LAST_WINDOW, latest_evening, unix
from hotline_schemas import kpi
from hotline_schemas.hours import Evening as ScheduleEvening
from hotline_schemas.hours import OpeningSchedule, is_open
from hotline_schemas.taxonomy import Taxonomy, load_taxonomy

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
    taxonomy: Taxonomy = field(default_factory=lambda: load_taxonomy(None))


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def counts_of(row: Sequence[Any]) -> kpi.Counts:
    """kpi.Counts from the first ten columns of a `kpi.window_counts_sql` row."""
    offered, answered, within, abandoned, short, wait_sum, talk_sum, talked, menu, left = row[:10]
    return kpi.Counts(
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


def _window(ex: Executor, cfg: BoardConfig, start: datetime, end: datetime) -> WindowStats:
    sql = queries.window(cfg.database, unix(start), unix(end), cfg.thresholds)
    (row,) = ex.execute(sql)
    return window_stats(start, end, counts_of(row))


def window_stats(start: datetime, end: datetime, counts: kpi.Counts) -> WindowStats:
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


def _topics(rows: Sequence[tuple[Any, ...]], taxonomy: Taxonomy) -> list[TopicCalls]:
    out = []
    for topic_id, calls in rows:
        found = taxonomy.find(str(topic_id))
        da, en = (found.label.da, found.label.en) if found else (str(topic_id), str(topic_id))
        out.append(TopicCalls(topic=str(topic_id), label_da=da, label_en=en, calls=int(calls)))
    return out


def _trend(ex: Executor, cfg: BoardConfig, at: datetime) -> list[TrendPoint]:
    local_day = at.astimezone(cfg.schedule.zone).date()
    tonight = [e for e in cfg.schedule.evenings(local_day) if e.opens <= at]
    if not tonight:
        return []
    evening: ScheduleEvening = tonight[-1]
    earlier = trend.earlier_evenings(cfg.schedule, evening, trend.FORECAST_EVENINGS)
    ranges = [(unix(e.opens), unix(e.closes)) for e in [evening, *earlier]]
    rows = ex.execute(queries.offered_per_half_hour(cfg.database, ranges))
    offered = [(datetime.fromtimestamp(int(s), UTC), int(n)) for s, n in rows]
    return [
        TrendPoint(start=p.start, offered=p.offered, forecast=p.forecast)
        for p in trend.points(evening, at, offered, earlier)
    ]


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
    queue_stats: list[QueueStats] = []
    if evening is not None:
        end = evening.window_end(at)
        evening_stats = _window(ex, cfg, evening.opens, end)
        lo, hi = unix(evening.opens), unix(end)
        municipalities = ex.execute(queries.by_municipality(cfg.database, lo, hi))
        topic_rows = ex.execute(queries.topics(cfg.database, lo, hi))
        window_sql, live_sql = queries.by_queue(cfg.database, lo, hi, t, cfg.thresholds)
        queue_stats = queues(
            ex.execute(window_sql),
            ex.execute(live_sql),
            evening.opens,
            end,
            counts_of,
            window_stats,
        )
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
        topics=_topics(topic_rows or [], cfg.taxonomy),
        by_queue=queue_stats,
        trend=_trend(ex, cfg, at),
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
