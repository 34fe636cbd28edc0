"""The pilot report's data as JSON (everything) and CSV (one file per table), for the data team
and the tests (pure: builds the structures; the CLI writes them).

Ratios are fractions (0.8 = 80 %), times seconds, dates ISO 8601; a figure that does not exist
(a ratio of nothing) is null in JSON and empty in CSV.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from hotline_report.pilot.analysis import PilotResult
from hotline_report.pilot.forecast import Accuracy
from hotline_report.pilot.i18n import Words
from hotline_report.pilot.labels import option_label
from hotline_report.pilot.stats import Comparison, RateComparison, RateEstimate
from hotline_report.pilot.summary import Figures

__all__ = ["to_csv_tables", "to_json"]


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "open_evenings": f.open_evenings,
        "calls": f.calls,
        "calls_per_evening": f.calls_per_evening,
        "closed_calls": f.closed_calls,
        "callers": f.callers,
        "answered": f.answered,
        "answered_within": f.counts.answered_within,
        "abandoned": f.counts.abandoned,
        "left_queue": f.counts.left_queue,
        "short_abandoned": f.counts.short_abandoned,
        "menu_hangups": f.counts.menu_hangups,
        "service_level": f.service_level,
        "average_wait_seconds": f.average_wait,
        "abandonment_rate": f.abandonment_rate,
    }


def _rate(r: RateEstimate) -> dict[str, Any]:
    return {"count": r.count, "per_1000": r.rate, "low": r.low, "high": r.high}


def _comparison(c: Comparison) -> dict[str, Any]:
    return {
        "key": c.key,
        "other": c.other,
        "rate_ratio": c.rate_ratio,
        "p_value": c.p_value,
        "p_adjusted": c.p_adjusted,
        "different": c.different,
        "direction": c.direction,
    }


def _rate_comparison(c: RateComparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "chi_square": c.overall.statistic,
        "df": c.overall.df,
        "p_value": c.overall.p_value,
        "differ": c.differ,
        "alpha": c.alpha,
        "versus_rest": [_comparison(x) for x in c.versus_rest],
        "pairs": [_comparison(x) for x in c.pairs],
    }


def _accuracy(a: Accuracy) -> dict[str, Any]:
    return asdict(a)


def _clean(value: Any) -> Any:
    """JSON-safe: dates as ISO text, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(
    result: PilotResult, words: Words, *, generated_at: datetime, database: str
) -> dict[str, Any]:
    s, sv, p, o, q = (
        result.summary,
        result.service,
        result.permanent,
        result.outlook,
        result.quality,
    )
    a = sv.assumptions
    days = {x.weekday for x in sv.profile}
    body: dict[str, Any] = {
        "report": "pilot",
        "lang": words.lang,
        "generated_at": generated_at,
        "database": database,
        "range": {"first": result.data.first, "last": result.data.last},
        "evenings": {
            "first": result.first_evening,
            "last": result.last_evening,
            "count": len(result.evenings),
        },
        "summary": {
            "headline": _figures(s.headline),
            "months": [{"month": m.month, **_figures(m.figures)} for m in s.months],
            "trend": None
            if s.trend is None
            else {
                "evenings": s.trend.evenings,
                "growth_per_year": s.trend.growth_per_year,
                "low": s.trend.low,
                "high": s.trend.high,
                "p_value": s.trend.p_value,
                "dispersion": s.trend.dispersion,
                "verdict": s.trend.verdict,
            },
            "member_population": s.member_population,
            "attributed_calls": s.attributed_calls,
            "municipalities": [
                {
                    "code": m.code,
                    "name": m.name,
                    "population": m.population,
                    "calls": _rate(m.calls),
                    "callers": _rate(m.callers),
                    "versus_rest": None if m.versus_rest is None else _comparison(m.versus_rest),
                }
                for m in s.municipalities
            ],
            "comparison": _rate_comparison(s.comparison),
            "callers_comparison": _rate_comparison(s.callers_comparison),
            "topics": [
                {
                    "topic": t.topic,
                    "label_da": t.label_da,
                    "label_en": t.label_en,
                    "in_scope": t.in_scope,
                    "calls": t.calls,
                    "share": t.share,
                    "answered": t.answered,
                    "closed_calls": t.closed_calls,
                }
                for t in s.topics
            ],
            "weekdays": [
                {
                    "weekday": d.weekday,
                    "evenings": d.evenings,
                    "calls": d.calls,
                    "per_evening": d.per_evening,
                }
                for d in s.weekdays
            ],
            "half_hours": [
                {
                    "weekday": x.weekday,
                    "slot_minute": x.slot_minute,
                    "evenings": x.evenings,
                    "calls_per_evening": x.mean,
                }
                for x in s.slots
            ],
            "closed_by_weekday_hour": [
                {"weekday": wd, "hour": h, "calls": n}
                for (wd, h), n in sorted(s.closed_by_weekday_hour.items())
            ],
        },
        "service": {
            "assumptions": {**asdict(a), "model": a.model},
            "observed_service_level": sv.observed_service_level,
            "model_service_level": sv.model_service_level,
            "agent_hours_per_week": sv.agent_hours_per_week,
            "overhead_hours_per_week": sv.overhead_hours_per_week,
            "needed_hours_per_week": sv.needed_hours_per_week,
            "arrival_share": sv.arrival_share,
            "half_hours": [
                {
                    "weekday": x.weekday,
                    "slot_minute": x.slot_minute,
                    "evenings": x.evenings,
                    "offered_mean": x.offered_mean,
                    "calls_mean": x.arrivals_mean,
                    "calls_p90": x.arrivals_p90,
                    "service_level": x.service_level,
                    "average_wait_seconds": x.average_wait,
                    "abandonment_rate": x.abandonment_rate,
                    "handle_seconds": x.handle_seconds,
                    "agent_evenings": x.agent_evenings,
                    "logged_in_mean": x.logged_in_mean,
                    "staffed_mean": x.staffed_mean,
                    "occupancy": x.occupancy,
                    "needed_agents": x.needed.agents,
                    "needed_rostered": x.needed.rostered_agents,
                    "model_service_level_at_staffed": x.model_service_level,
                }
                for x in sv.slots
            ],
        },
        "options": {
            "team_size": p.team_size,
            "weeks": p.weeks,
            "pilot_hours_per_week": p.pilot_hours_per_week,
            "pilot_service_level": p.pilot_service_level,
            "rows": [
                {
                    "key": r.key,
                    "label": option_label(words, r, days),
                    "params": r.params,
                    "open_hours_per_week": r.cost.open_hours_per_week,
                    "calls_per_week": r.cost.calls_per_week,
                    "agent_hours_per_week": r.cost.agent_hours_per_week,
                    "agent_hours_per_person": r.cost.agent_hours_per_person,
                    "agent_hours_per_week_busy": r.cost.agent_hours_per_week_busy,
                    "agent_hours_per_person_busy": r.cost.agent_hours_per_person_busy,
                    "peak_agents": r.cost.peak_agents,
                    "peak_agents_busy": r.cost.peak_agents_busy,
                    "service_level": r.cost.service_level,
                    "service_level_busy_week": r.cost.service_level_busy_week,
                    "within_team": r.cost.within_team,
                }
                for r in p.options
                if r.cost is not None
            ],
            "break_even": {
                "formula": "p* = H * w / (N * (k - 1) * c)",
                "moving": {
                    "H": p.break_even_moving.agent_hours_per_week,
                    "N": p.break_even_moving.answered_calls_per_week,
                    "k": p.break_even_moving.in_person_multiple,
                    "w": p.break_even_moving.agent_hour_cost,
                    "c": p.break_even_moving.online_task_cost,
                    "coefficient_of_w_over_c": p.break_even_moving.coefficient,
                    "share_needed": p.break_even_moving.share_needed,
                },
                "in_scope": {
                    "H": p.break_even_in_scope.agent_hours_per_week,
                    "N": p.break_even_in_scope.answered_calls_per_week,
                    "hours_per_call": p.break_even_in_scope.hours_per_call,
                },
            },
            "unserved": {
                **asdict(p.unserved),
                "out_of_scope_calls_per_week": p.unserved.per_week(p.unserved.out_of_scope_calls),
                "closed_calls_per_week": p.unserved.per_week(p.unserved.closed_calls),
            },
        },
        "forecast": {
            "start": o.start,
            "note": o.note,
            "holdout_weeks": o.holdout_weeks,
            "trend_used": o.model.trend_used if o.model else None,
            "slope_per_year": o.model.slope_per_year if o.model else None,
            "schedule_ends": o.schedule_ends,
            "backtest": None
            if o.backtest is None
            else {
                "weeks": list(o.backtest.weeks),
                "model": _accuracy(o.backtest.model),
                "seasonal_naive": _accuracy(o.backtest.naive),
                "model_better": o.backtest.model_better,
                "mae_change": o.backtest.mae_change,
                "per_week": [asdict(x) for x in o.backtest.per_week],
            },
            "weeks": [asdict(x) for x in o.weeks],
        },
        "quality": {
            **{k: v for k, v in asdict(q).items() if k not in ("dead_letters", "scheduled")},
            "scheduled_evenings": len(q.scheduled),
            "dead_letters": asdict(q.dead_letters),
        },
    }
    cleaned: dict[str, Any] = _clean(body)
    return cleaned


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in _clean(row)])
    return out.getvalue()


def to_csv_tables(body: dict[str, Any]) -> dict[str, str]:
    """File name -> CSV text, from the JSON body (so the two never disagree)."""
    summary, service, options = body["summary"], body["service"], body["options"]
    forecast, quality = body["forecast"], body["quality"]

    def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
        return _csv(columns, [[r.get(c) for c in columns] for r in rows])

    month_columns = [
        "month",
        "open_evenings",
        "calls",
        "calls_per_evening",
        "callers",
        "answered",
        "service_level",
        "average_wait_seconds",
        "abandonment_rate",
        "closed_calls",
    ]
    munis = [
        {
            "code": m["code"],
            "name": m["name"],
            "population": m["population"],
            "calls": m["calls"]["count"],
            "calls_per_1000": m["calls"]["per_1000"],
            "low": m["calls"]["low"],
            "high": m["calls"]["high"],
            "callers": m["callers"]["count"],
            "callers_per_1000": m["callers"]["per_1000"],
            "versus_rest": (m["versus_rest"] or {}).get("direction"),
            "p_adjusted": (m["versus_rest"] or {}).get("p_adjusted"),
        }
        for m in summary["municipalities"]
    ]
    return {
        "months.csv": table(summary["months"], month_columns),
        "municipalities.csv": table(munis, list(munis[0]) if munis else ["code"]),
        "municipality_pairs.csv": table(
            (summary["comparison"] or {}).get("pairs", []),
            ["key", "other", "rate_ratio", "p_value", "p_adjusted", "different"],
        ),
        "topics.csv": table(
            summary["topics"],
            [
                "topic",
                "label_da",
                "label_en",
                "in_scope",
                "calls",
                "share",
                "answered",
                "closed_calls",
            ],
        ),
        "service_half_hours.csv": table(
            service["half_hours"],
            list(service["half_hours"][0]) if service["half_hours"] else ["weekday"],
        ),
        "options.csv": table(
            options["rows"],
            [
                "key",
                "label",
                "open_hours_per_week",
                "calls_per_week",
                "agent_hours_per_week",
                "agent_hours_per_person",
                "agent_hours_per_week_busy",
                "peak_agents",
                "peak_agents_busy",
                "service_level",
                "service_level_busy_week",
                "within_team",
            ],
        ),
        "forecast_weeks.csv": table(
            forecast["weeks"],
            ["monday", "evenings", "calls", "peak_half_hour", "agent_hours", "peak_agents"],
        ),
        "backtest_weeks.csv": table(
            (forecast["backtest"] or {}).get("per_week", []), ["week", "actual", "model", "naive"]
        ),
        "quality.csv": _csv(
            ["measure", "value"],
            [[k, v] for k, v in quality.items() if not isinstance(v, list | dict)],
        ),
        "dead_letters.csv": table(
            quality["dead_letters"]["topics"],
            [
                "topic",
                "total",
                "rejected_in_range",
                "events_in_range",
                "without_event_time",
                "not_dead_letters",
            ],
        ),
    }
