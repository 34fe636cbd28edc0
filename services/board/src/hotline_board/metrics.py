"""The board's Prometheus metrics. Alert rules use these exact names (deploy/prometheus)."""

from __future__ import annotations

import math

from prometheus_client import CollectorRegistry, Counter, Gauge

from hotline_board.models import Board


class BoardMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.waiting = Gauge(
            "hotline_callers_waiting", "Callers in the queue now (menu excluded)", registry=registry
        )
        self.longest_wait = Gauge(
            "hotline_longest_wait_seconds",
            "Longest current wait since queue entry, in seconds",
            registry=registry,
        )
        self.in_menu = Gauge(
            "hotline_callers_in_menu",
            "Callers in the phone menu now, not queued",
            registry=registry,
        )
        self.agents_busy = Gauge(
            "hotline_agents_busy", "Agents talking to a caller now", registry=registry
        )
        self.agents = Gauge(
            "hotline_agents",
            "Agents by state now, from agent events (logged_in, available, on_call, wrap_up, "
            "paused)",
            ["state"],
            registry=registry,
        )
        self.open = Gauge("hotline_open", "1 while the hotline is open", registry=registry)
        self.service_level = Gauge(
            "hotline_service_level_ratio",
            "Answered within the threshold over answered plus abandoned (NaN: no calls)",
            ["window"],
            registry=registry,
        )
        self.service_level_target = Gauge(
            "hotline_service_level_target",
            "The service-level target of the business rules (HOTLINE_RULES__SERVICE_LEVEL_TARGET)",
            registry=registry,
        )
        self.query_failures = Counter(
            "hotline_board_query_failures_total",
            "Board snapshots that failed (ClickHouse unreachable or a query error)",
            registry=registry,
        )
        self.data_age = Gauge(
            "hotline_board_data_age_seconds",
            "Board time minus the newest stored call event (+Inf: none in a day)",
            registry=registry,
        )

    def update(self, board: Board) -> None:
        self.waiting.set(board.waiting)
        self.longest_wait.set(board.longest_wait_seconds)
        self.in_menu.set(board.in_menu)
        self.agents_busy.set(board.agents_busy)
        panel = board.agents
        for state, value in (
            ("logged_in", panel.logged_in),
            ("available", panel.available),
            ("on_call", panel.on_call),
            ("wrap_up", panel.wrap_up),
            ("paused", panel.paused),
        ):
            self.agents.labels(state=state).set(value)
        self.open.set(1 if board.open_now else 0)
        self.service_level.labels(window="15m").set(_or_nan(board.last_15m.service_level))
        self.service_level_target.set(board.thresholds.service_level_target)
        evening = board.evening.service_level if board.evening else None
        self.service_level.labels(window="evening").set(_or_nan(evening))
        age = board.data_age_seconds
        self.data_age.set(math.inf if age is None else age)


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else value
