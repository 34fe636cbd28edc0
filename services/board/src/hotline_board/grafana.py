"""The production Grafana dashboard, generated from the same SQL as the board.

`hotline board-dashboard --output deploy/grafana/dashboards/hotline-operations.json` writes it;
a test fails when the committed file drifts from this module. The dashboard's time picker plays
the board's roles: its end is "now" (live state and the last 15 minutes end there) and its
range is "the evening". Only the macros `$__fromTime` and `$__toTime` of the ClickHouse plugin
are used, so every query also runs on ClickHouse 18.16 once they are rendered.
"""

# ruff: noqa: S608 - a SQL builder: only integers, SQL written here and identifier()-checked
# names are spliced in (see the module docstring).

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline_schemas import kpi
from hotline_schemas.hours import WEEKDAYS, OpeningSchedule
from hotline_schemas.reference_data import populations
from hotline_schemas.rules import Rules

DATASOURCE = {"type": "grafana-clickhouse-datasource", "uid": "hotline-clickhouse"}
AT = "toUInt32($__toTime)"
FROM = "toUInt32($__fromTime)"
TIMEZONE = "Europe/Copenhagen"


def _live(db: str, th: kpi.Thresholds) -> str:
    per_call = kpi.per_call_sql(db, f"{AT} - {kpi.LIVE_LOOKBACK_S}", AT)
    return kpi.live_sql(kpi.derived_sql(per_call, th), AT)


def _window(db: str, lo: str, th: kpi.Thresholds) -> str:
    per_call = kpi.per_call_sql(db, f"{lo} - {kpi.LIVE_LOOKBACK_S}", AT)
    return kpi.window_counts_sql(kpi.derived_sql(per_call, th), lo, AT, th)


def _offered(db: str) -> str:
    per_call = kpi.per_call_sql(db, FROM, AT)
    return f"({per_call}) WHERE in_hours = 1 AND offered_ts > {FROM} AND offered_ts <= {AT}"


def open_now_sql(schedule: OpeningSchedule, at: str = AT) -> str:
    """1 while the schedule is open at `at`: weekly hours, closed dates and the service's first
    and last day. Periods with other weekly hours are not rendered (the board's own `open now`
    uses the full schedule)."""
    local = f"toDateTime({at}, '{schedule.timezone}')"
    minute = f"(toHour({local}) * 60 + toMinute({local}))"
    day_of = f"toDate({at}, '{schedule.timezone}')"
    terms = []
    for day, intervals in schedule.weekly.items():
        iso_day = WEEKDAYS.index(day) + 1  # toDayOfWeek: Monday = 1
        for i in intervals:
            start, end = i.start.hour * 60 + i.start.minute, i.end.hour * 60 + i.end.minute
            terms.append(
                f"(toDayOfWeek({local}) = {iso_day} AND {minute} >= {start} AND {minute} < {end})"
            )
    weekly = " OR ".join(terms) or "0"
    limits = []
    if schedule.closed:
        dates = ", ".join(f"toDate('{d.isoformat()}')" for d in sorted(schedule.closed))
        limits.append(f"{day_of} NOT IN ({dates})")
    if schedule.first_day:
        limits.append(f"{day_of} >= toDate('{schedule.first_day.isoformat()}')")
    if schedule.last_day:
        limits.append(f"{day_of} <= toDate('{schedule.last_day.isoformat()}')")
    condition = " AND ".join([f"({weekly})", *limits])
    return f"SELECT toUInt8({condition}) AS open"


def _population_sql(pops: Mapping[int, int]) -> str:
    codes = ", ".join(str(c) for c in sorted(pops))
    values = ", ".join(str(pops[c]) for c in sorted(pops))
    return f"transform(toUInt32(municipality_code), [{codes}], [{values}], 0)"


def panel_sql(db: str = "hotline", rules: Rules | None = None) -> dict[str, str]:
    """Title -> SQL of every panel, with the business rules' schedule and thresholds."""
    rules = rules or Rules()
    th = rules.thresholds()
    pops = _population_sql(populations())
    return {
        "Open now": open_now_sql(rules.schedule()),
        "Callers waiting": f"SELECT waiting FROM ({_live(db, th)})",
        "Longest wait": f"SELECT longest_wait_seconds FROM ({_live(db, th)})",
        "Agents busy": f"SELECT agents_busy FROM ({_live(db, th)})",
        "Last 15 minutes": (
            "SELECT answered, abandoned, service_level, average_speed_of_answer "
            f"FROM ({_window(db, f'{AT} - 900', th)})"
        ),
        "Selected range (evening)": (
            "SELECT offered, answered, abandoned, service_level, abandonment_rate, "
            f"average_speed_of_answer, average_handle_time FROM ({_window(db, FROM, th)})"
        ),
        "Calls offered per 15 minutes": (
            "SELECT toDateTime(intDiv(toUInt32(offered_ts), 900) * 900) AS time, "
            f"count() AS offered FROM {_offered(db)} GROUP BY time ORDER BY time"
        ),
        "Calls by municipality": (
            "SELECT municipality, calls, "
            f"{kpi.record_sql('per_1000', 'calls', 'population')} AS per_1000 FROM ("
            "SELECT if(municipality_code = 0, 'unknown', any(municipality_name)) AS municipality,"
            f" count() AS calls, {pops} AS population "
            f"FROM {_offered(db)} GROUP BY municipality_code) ORDER BY calls DESC"
        ),
        "Topic mix": (
            f"SELECT topic, count() AS calls FROM {_offered(db)} GROUP BY topic ORDER BY calls DESC"
        ),
    }


_LAYOUT: dict[str, tuple[str, dict[str, int], str | None, int]] = {
    # title: (panel type, grid position, unit, format: 0 time series, 1 table)
    "Open now": ("stat", {"x": 0, "y": 0, "w": 4, "h": 5}, None, 1),
    "Callers waiting": ("stat", {"x": 4, "y": 0, "w": 5, "h": 5}, "none", 1),
    "Longest wait": ("stat", {"x": 9, "y": 0, "w": 5, "h": 5}, "s", 1),
    "Agents busy": ("stat", {"x": 14, "y": 0, "w": 5, "h": 5}, "none", 1),
    "Last 15 minutes": ("stat", {"x": 0, "y": 5, "w": 12, "h": 6}, None, 1),
    "Selected range (evening)": ("stat", {"x": 12, "y": 5, "w": 12, "h": 6}, None, 1),
    "Calls offered per 15 minutes": ("timeseries", {"x": 0, "y": 11, "w": 24, "h": 8}, None, 0),
    "Calls by municipality": ("table", {"x": 0, "y": 19, "w": 12, "h": 10}, None, 1),
    "Topic mix": ("barchart", {"x": 12, "y": 19, "w": 12, "h": 10}, None, 1),
}


def _panel(pid: int, title: str, sql: str) -> dict[str, Any]:
    kind, grid, unit, fmt = _LAYOUT[title]
    defaults: dict[str, Any] = {}
    if unit:
        defaults["unit"] = unit
    if title == "Open now":
        defaults["mappings"] = [
            {"type": "value", "options": {"0": {"text": "CLOSED"}, "1": {"text": "OPEN"}}}
        ]
    return {
        "id": pid,
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": grid,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "editorType": "sql",
                "queryType": "table" if fmt == 1 else "timeseries",
                "format": fmt,
                "rawSql": sql,
            }
        ],
    }


def dashboard(db: str = "hotline", rules: Rules | None = None) -> dict[str, Any]:
    sqls = panel_sql(db, rules)
    panels = [_panel(i, title, sql) for i, (title, sql) in enumerate(sqls.items(), 1)]
    return {
        "uid": "hotline-operations",
        "title": "Hotline operations",
        "description": "Same definitions as the live board (docs/metrics.md). Range = evening; "
        "its end = now.",
        "tags": ["hotline"],
        "timezone": TIMEZONE,
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "10s",
        "time": {"from": "now-4h", "to": "now"},
        "panels": panels,
    }
