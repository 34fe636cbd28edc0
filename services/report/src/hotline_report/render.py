"""The load report as Markdown (for people) and JSON (for tests and the data team)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hotline_capacity.forecast import Accuracy
from hotline_capacity.local_time import WEEKDAYS, slot_key
from hotline_capacity.staffing import StaffingResult
from hotline_capacity.whatif import IntervalStaffing, Scenario, StaffingSummary
from hotline_report.analysis import ReportResult, ScenarioResult
from hotline_report.queries import CallerFigures

__all__ = ["describe_scenario", "to_json", "to_markdown"]

ORIGINS = {
    "catchment": "one of the seven municipalities",
    "outside_catchment": "a postcode outside the catchment",
    "unknown_postcode": "a postcode that is not a known Danish postcode",
    "no_postcode": "no postcode keyed",
}


def describe_scenario(s: Scenario) -> str:
    parts = []
    if s.hours is not None:
        days = ",".join(WEEKDAYS[d] for d in sorted(s.hours.days))
        parts.append(f"open {days} {s.hours.opens:%H:%M}-{s.hours.closes:%H:%M}")
    if s.add_days:
        parts.append("also open " + ",".join(WEEKDAYS[d] for d in sorted(s.add_days)))
    if s.extra_population:
        parts.append(f"{s.extra_population:,} more citizens")
    if s.demand_growth != 1:
        parts.append(f"demand x{s.demand_growth:g}")
    parts.append(f"target {s.service_level_target:.0%} within {s.answer_within_seconds:g} s")
    return "; ".join(parts)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _staffing_dict(r: StaffingResult) -> dict[str, int | float]:
    return r.as_dict()


def _summary_dict(s: StaffingSummary) -> dict[str, Any]:
    def keys(items: tuple[tuple[int, Any], ...]) -> list[str]:
        return [f"{WEEKDAYS[d]} {t:%H:%M}" for d, t in items]

    return {
        "team_size": s.team_size,
        "peak_rostered_mean": s.peak_rostered_mean,
        "peak_rostered_p90": s.peak_rostered_p90,
        "agent_hours_mean": s.agent_hours_mean,
        "agent_hours_p90": s.agent_hours_p90,
        "over_team_mean": keys(s.over_team_mean),
        "over_team_p90": keys(s.over_team_p90),
    }


def _interval_dict(s: IntervalStaffing) -> dict[str, Any]:
    return {
        "weekday": WEEKDAYS[s.load.weekday],
        "start": f"{s.load.start:%H:%M}",
        "offered_mean": s.load.offered_mean,
        "offered_p90": s.load.offered_p90,
        "aht_seconds": s.load.aht_seconds,
        "patience_seconds": s.load.patience_seconds,
        "mean": _staffing_dict(s.mean),
        "p90": _staffing_dict(s.p90),
    }


def _scenario_dict(r: ScenarioResult) -> dict[str, Any]:
    return {
        "label": r.label,
        "description": describe_scenario(r.scenario),
        "summary": _summary_dict(r.summary),
        "intervals": [_interval_dict(s) for s in r.staffing],
    }


def _accuracy_dict(a: Accuracy) -> dict[str, Any]:
    return {
        "intervals": a.intervals,
        "mae": a.mae,
        "rmse": a.rmse,
        "mape": a.mape,
        "smape": a.smape,
    }


def _caller_dict(f: CallerFigures) -> dict[str, Any]:
    return {
        "key": f.key,
        "label": f.label,
        "calls": f.calls,
        "calls_withheld": f.calls_withheld,
        "callers": f.callers,
        "repeat_calls": f.repeat_calls,
        "repeat_callers": f.repeat_callers,
        "called_again": f.called_again,
        "repeat_share": f.repeat_share,
        "resolution_proxy": f.resolution_proxy,
        "repeat_caller_days": f.repeat_caller_days,
    }


def to_json(result: ReportResult, *, generated_at: datetime, database: str) -> dict[str, Any]:
    data = result.data
    observed = {(s.weekday, s.start): s for s in result.profile}
    forecast = result.forecast
    return {
        "generated_at": generated_at.isoformat(),
        "database": database,
        "history": {
            "first_date": None if result.first_date is None else result.first_date.isoformat(),
            "last_date": None if result.last_date is None else result.last_date.isoformat(),
            "open_evenings": result.open_evenings,
            "calls": data.calls,
            "member_population": data.member_population,
        },
        "assumptions": {
            "team_size": result.options.team_size,
            "service_level_target": result.options.service_level_target,
            "answer_within_seconds": result.options.answer_within_seconds,
            "max_occupancy": result.options.max_occupancy,
            "shrinkage": result.options.shrinkage,
            "wrap_up_seconds": result.options.wrap_up_seconds,
            "aht_seconds": result.aht_seconds,
            "aht_observed": result.aht_observed,
            "patience_estimated_seconds": result.patience.seconds,
            "patience_abandons": result.patience.abandons,
            "patience_used_seconds": result.patience_used,
            "model": "erlang_a" if result.patience_used else "erlang_c",
        },
        "municipalities": [
            {
                "code": m.code,
                "name": m.name,
                "population": m.population,
                "population_date": m.population_date.isoformat(),
                "source": m.source,
                "calls": m.calls,
                "open_evenings": m.open_evenings,
                "calls_per_1000_per_evening": m.calls_per_1000_per_evening,
            }
            for m in data.municipalities
        ],
        "origin": [
            {
                "origin": o.origin,
                "calls": o.calls,
                "calls_within_hours": o.calls_within_hours,
                "share": o.share,
            }
            for o in data.origin
        ],
        "while_closed": [
            {"weekday": WEEKDAYS[c.weekday], "hour": c.hour, "calls": c.calls, "dates": c.dates}
            for c in data.while_closed
        ],
        "topic_mix": [
            {"area": t.area, "topic": t.topic, "calls": t.calls, "share_of_area": t.share_of_area}
            for t in data.topic_mix
        ],
        "callers_by_municipality": [_caller_dict(f) for f in data.callers_by_municipality],
        "callers_by_topic": [_caller_dict(f) for f in data.callers_by_topic],
        "intervals": [
            {
                **_interval_dict(s),
                "evenings": observed[s.load.key].evenings,
                "observed_aht_seconds": observed[s.load.key].aht_seconds,
                "observed_abandonment_rate": observed[s.load.key].abandonment_rate,
                "observed_service_level": observed[s.load.key].service_level,
            }
            for s in result.baseline.staffing
        ],
        "staffing_summary": _summary_dict(result.baseline.summary),
        "agents_on_shift": [
            {
                "weekday": WEEKDAYS[s.weekday],
                "start": f"{s.start:%H:%M}",
                "evenings": s.evenings,
                "needed": s.needed,
                "rostered": s.rostered,
                "logged_in_mean": s.logged_in_mean,
                "staffed_mean": s.staffed_mean,
                "gap": s.gap,
                "occupancy_model": s.model_occupancy,
                "occupancy_observed": s.occupancy,
                "service_level_observed": s.service_level,
                "verdict": s.verdict,
            }
            for s in result.agents
        ],
        "agent_evenings": [
            {
                "local_date": e.local_date.isoformat(),
                "agents_logged_in": e.agents_logged_in,
                "agent_hours": e.agent_hours,
                "paused_hours": e.paused_hours,
                "occupancy": e.occupancy,
            }
            for e in result.data.agent_evenings
        ],
        "whatif": None if result.whatif is None else _scenario_dict(result.whatif),
        "forecast": None
        if forecast is None
        else {
            "week_start": forecast.week_start.isoformat(),
            "points": [
                {
                    "interval_start": p.interval_start.isoformat(),
                    "offered_mean": p.offered_mean,
                    "rostered_agents": st.rostered_agents,
                }
                for p, st in zip(forecast.points, forecast.staffing, strict=True)
            ],
            "backtest": None
            if forecast.backtest is None
            else {
                "weeks": [w.isoformat() for w in forecast.backtest.weeks],
                "model": _accuracy_dict(forecast.backtest.model),
                "naive": _accuracy_dict(forecast.backtest.naive),
            },
            "note": forecast.note,
        },
    }


def _accuracy_row(name: str, a: Accuracy) -> list[object]:
    return [name, a.intervals, _num(a.mae, 2), _num(a.rmse, 2), _pct(a.mape), _pct(a.smape)]


def _image(plots: dict[str, Path], name: str, alt: str, base: Path) -> str:
    path = plots.get(name)
    return "" if path is None else f"\n![{alt}]({path.relative_to(base).as_posix()})\n"


def _topic_lines(result: ReportResult) -> list[list[object]]:
    by_area: dict[str, list[str]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    for t in result.data.topic_mix:
        by_area[t.area].append(f"{t.topic} {t.share_of_area:.0%}")
        totals[t.area] += t.calls
    return [[area, totals[area], ", ".join(topics[:6])] for area, topics in by_area.items()]


def to_markdown(
    result: ReportResult,
    *,
    generated_at: datetime,
    database: str,
    plots: dict[str, Path],
    base: Path,
) -> str:
    data = result.data
    opts = result.options
    out: list[str] = ["# Hotline load report: what the catchment asks of the team", ""]
    period = (
        "no calls within opening hours yet"
        if result.first_date is None
        else f"{result.first_date} to {result.last_date}, {result.open_evenings} open evenings"
    )
    out += [
        f"Generated {generated_at:%Y-%m-%d %H:%M} UTC from ClickHouse database `{database}`: "
        f"{data.calls:,} calls, {period}. Member population {data.member_population:,}.",
        "",
        "Rules: a call counts for the primary municipality of the postcode keyed in the IVR "
        "(a postcode shared by municipalities is not split); an open evening is a local date "
        "with a call offered within opening hours; demand is offered calls, whatever happened "
        "to them. Times are Europe/Copenhagen.",
        "",
        "## Calls per 1,000 citizens per open evening",
        "",
        _table(
            ["municipality", "population", "as of", "calls", "per 1,000 per evening", "source"],
            [
                [
                    m.name,
                    f"{m.population:,}",
                    m.population_date,
                    m.calls,
                    f"{m.calls_per_1000_per_evening:.3f}",
                    m.source,
                ]
                for m in data.municipalities
            ],
        ),
        _image(plots, "per_citizen", "calls per 1,000 citizens by municipality", base),
        "## Where calls come from",
        "",
        _table(
            ["origin", "calls", "of which within hours", "share"],
            [
                [ORIGINS.get(o.origin, o.origin), o.calls, o.calls_within_hours, _pct(o.share)]
                for o in data.origin
            ],
        ),
        "",
        "## Demand while closed",
        "",
        "Calls offered outside opening hours, by local weekday and hour "
        f"({sum(c.calls for c in data.while_closed):,} calls in all).",
        "",
        _table(
            ["weekday", "hour", "calls", "on dates"],
            [
                [WEEKDAYS[c.weekday], f"{c.hour:02d}:00", c.calls, c.dates]
                for c in sorted(data.while_closed, key=lambda c: (-c.calls, c.weekday, c.hour))[:15]
            ],
        ),
        _image(plots, "closed", "calls while closed by weekday and hour", base),
        "## Topic mix per municipality",
        "",
        _table(["area", "calls", "topics (share of the area's calls)"], _topic_lines(result)),
        "",
        *_caller_section(result),
    ]
    model = (
        f"Erlang A with mean patience {result.patience_used:.0f} s"
        if result.patience_used
        else "Erlang C (callers assumed never to hang up)"
    )
    estimated = (
        f"{result.patience.seconds:.0f} s from {result.patience.abandons} abandons"
        if result.patience.seconds
        else "none (no abandons)"
    )
    aht_note = "observed mean talk time" if result.aht_observed else "default (no talk observed)"
    out += [
        "## Load and staffing per half hour",
        "",
        f"Model: {model}; estimated patience: {estimated}. AHT {result.aht_seconds:.0f} s "
        f"({aht_note}) plus {opts.wrap_up_seconds:g} s wrap-up; target "
        f"{opts.service_level_target:.0%} within {opts.answer_within_seconds:g} s (the rules), "
        f"occupancy at most {opts.max_occupancy:.0%}, shrinkage {opts.shrinkage:.0%}. "
        "Agents are rostered agents, compared with the whole team.",
        "",
        result.baseline.summary.describe(),
        "",
        _staffing_table(result),
        _image(plots, "load", "offered load and agents needed against the team", base),
        *_agents_section(result),
    ]
    if result.whatif is not None:
        out += [
            f"## What-if: {result.whatif.label}",
            "",
            describe_scenario(result.whatif.scenario) + ".",
            "",
            _comparison(result.baseline, result.whatif),
            "",
            result.whatif.summary.describe(),
            "",
        ]
    out += _forecast_section(result, plots, base)
    return "\n".join(out) + "\n"


VERDICTS = {
    "understaffed": "fewer on the phones than the model needs",
    "overstaffed": "more on the phones than the model needs",
    "model_optimistic": "staffed as the model needs, yet under the target: the model is too "
    "optimistic here",
    "agrees": "agrees",
    "no_agent_events": "no agent events",
}


def _agents_section(result: ReportResult) -> list[str]:
    slots = result.agents
    evenings = result.data.agent_evenings
    out = ["## The model next to the agents on shift", ""]
    if not evenings:
        return [
            *out,
            "No agent events in ClickHouse: the agents actually on shift are unknown, so the "
            "model cannot be checked against them.",
            "",
        ]
    hours = sum(e.agent_hours for e in evenings) / len(evenings)
    agents = sum(e.agents_logged_in for e in evenings) / len(evenings)
    occupancies = [e.occupancy for e in evenings if e.occupancy is not None]
    occupancy = sum(occupancies) / len(occupancies) if occupancies else None
    disagree = [s for s in slots if s.verdict not in ("agrees", "no_agent_events")]
    out += [
        f"From agent events on {len(evenings)} evenings: on average {agents:.1f} agents logged "
        f"in, {hours:.1f} agent-hours and an observed occupancy of {_pct(occupancy)} per "
        "evening. Per half hour, averaged over the open evenings with agent events: agents "
        "logged in (breaks included, compare with rostered), staffed (logged in and not "
        "paused, compare with the agents the model needs on the phones) and occupancy "
        "observed against the model's.",
        "",
        f"Model and reality disagree in {len(disagree)} of {len(slots)} half hours"
        + (
            ": "
            + "; ".join(
                f"{WEEKDAYS[s.weekday]} {s.start:%H:%M} {VERDICTS[s.verdict]}" for s in disagree[:8]
            )
            if disagree
            else "."
        ),
        "",
        _table(
            [
                "half hour",
                "evenings",
                "needed (model)",
                "rostered (model)",
                "logged in",
                "staffed",
                "occupancy model / observed",
                "SL observed",
                "model vs reality",
            ],
            [
                [
                    f"{WEEKDAYS[s.weekday]} {s.start:%H:%M}",
                    s.evenings,
                    s.needed,
                    s.rostered,
                    _num(s.logged_in_mean),
                    _num(s.staffed_mean),
                    f"{_pct(s.model_occupancy)} / {_pct(s.occupancy)}",
                    _pct(s.service_level),
                    VERDICTS[s.verdict],
                ]
                for s in slots
            ],
        ),
        "",
    ]
    return out


def _caller_rows(figures: Sequence[CallerFigures]) -> list[list[object]]:
    return [
        [
            f.label,
            f.calls,
            f.callers,
            f.calls_withheld,
            f.repeat_calls,
            _pct(f.repeat_share),
            f.repeat_callers,
            _pct(f.resolution_proxy),
        ]
        for f in figures
    ]


def _caller_section(result: ReportResult) -> list[str]:
    data = result.data
    figures = data.callers_by_municipality + data.callers_by_topic
    if not figures:
        return []
    days = figures[0].repeat_caller_days
    header = [
        "",
        "calls",
        "unique callers",
        "number withheld",
        "repeat calls",
        "repeat share",
        "repeat callers",
        "not called again",
    ]
    return [
        "## Callers: unique and repeat",
        "",
        f"Calls within opening hours. A caller is the pseudonym of the number (withheld numbers "
        f"are calls, never callers); a repeat call comes within {days} days of the same caller's "
        f'previous call (HOTLINE_RULES__REPEAT_CALLER_DAYS). "Not called again": the share of '
        f"a known caller's calls with no further call within {days} days, the proxy for "
        "first-contact resolution.",
        "",
        _table(["municipality", *header[1:]], _caller_rows(data.callers_by_municipality)),
        "",
        _table(["topic", *header[1:]], _caller_rows(data.callers_by_topic)),
        "",
    ]


def _comparison(today: ScenarioResult, whatif: ScenarioResult) -> str:
    def row(name: str, value: Callable[[ScenarioResult], object]) -> list[object]:
        return [name, value(today), value(whatif)]

    def offered(r: ScenarioResult) -> str:
        return _num(sum(s.load.offered_mean for s in r.staffing))

    def peak(r: ScenarioResult) -> str:
        return f"{r.summary.peak_rostered_mean} / {r.summary.peak_rostered_p90}"

    def hours(r: ScenarioResult) -> str:
        return f"{r.summary.agent_hours_mean:g} / {r.summary.agent_hours_p90:g}"

    def over(r: ScenarioResult) -> str:
        return f"{len(r.summary.over_team_mean)} / {len(r.summary.over_team_p90)}"

    return _table(
        ["", "today", whatif.label],
        [
            row("half hours open per week", lambda r: len(r.staffing)),
            row("offered calls per week (mean)", offered),
            row("peak rostered agents (mean / p90)", peak),
            row("agent-hours per week (mean / p90)", hours),
            row("half hours over the team (mean / p90)", over),
        ],
    )


def _staffing_table(result: ReportResult) -> str:
    observed = {(s.weekday, s.start): s for s in result.profile}
    rows = []
    for s in result.baseline.staffing:
        o = observed[s.load.key]
        rows.append(
            [
                f"{WEEKDAYS[s.load.weekday]} {s.load.start:%H:%M}",
                o.evenings,
                _num(s.load.offered_mean),
                _num(s.load.offered_p90),
                _num(o.aht_seconds, 0),
                _pct(o.abandonment_rate),
                _pct(o.service_level),
                s.mean.agents,
                s.mean.rostered_agents,
                s.p90.rostered_agents,
            ]
        )
    return _table(
        [
            "half hour",
            "evenings",
            "offered mean",
            "offered p90",
            "AHT s",
            "abandoned",
            "SL observed",
            "agents (mean)",
            "rostered (mean)",
            "rostered (p90)",
        ],
        rows,
    )


def _forecast_section(result: ReportResult, plots: dict[str, Path], base: Path) -> list[str]:
    forecast = result.forecast
    out = ["## Forecast", ""]
    if forecast is None:
        return [*out, "No history within opening hours: nothing to forecast.", ""]
    total = sum(p.offered_mean for p in forecast.points)
    out += [
        f"Next week (from Monday {forecast.week_start}): {total:,.1f} offered calls expected "
        "(weekday-by-half-hour seasonality times a linear weekly trend).",
        "",
    ]
    if forecast.backtest is None:
        out += [forecast.note.capitalize() + ".", ""]
    else:
        bt = forecast.backtest
        out += [
            f"Back-test: each of the weeks {', '.join(str(w) for w in bt.weeks)} forecast "
            "from the weeks before it only, against seasonal naive (same half hour a week "
            "earlier).",
            "",
            _table(
                ["method", "intervals", "MAE", "RMSE", "MAPE", "sMAPE"],
                [_accuracy_row("forecast", bt.model), _accuracy_row("seasonal naive", bt.naive)],
            ),
            "",
        ]
    out += [
        _table(
            ["half hour", "offered (forecast)", "rostered agents"],
            [
                [
                    f"{WEEKDAYS[slot_key(p.interval_start)[0]]} "
                    f"{slot_key(p.interval_start)[1]:%H:%M}",
                    _num(p.offered_mean),
                    st.rostered_agents,
                ]
                for p, st in zip(forecast.points, forecast.staffing, strict=True)
            ],
        ),
        _image(plots, "forecast", "forecast of offered calls next week", base),
    ]
    return out
