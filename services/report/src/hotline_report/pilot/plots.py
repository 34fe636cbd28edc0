"""The pilot report's plots as PNG bytes (matplotlib, headless Agg backend), one per question.

The document embeds them as data URIs: one file to mail, print or archive. Sizes are set for
an A4 page in portrait; text is in the document's language.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI: render to memory only

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from hotline_report.pilot.analysis import PilotResult
from hotline_report.pilot.grid import slot_label
from hotline_report.pilot.i18n import Words
from hotline_report.pilot.labels import option_label, slot_text

__all__ = ["render_plots"]

_DPI = 100
_BLUE, _RED, _GREY, _ORANGE, _GREEN = "#3b6ea5", "#c8553d", "#8a8a8a", "#e09f3e", "#4f8a5b"


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    plt.close(fig)
    return buffer.getvalue()


def _value(x: float | None) -> float:
    """A missing figure as a gap in a line (NaN), not as zero."""
    return math.nan if x is None else x


def _percent_axis(words: Words) -> FuncFormatter:
    return FuncFormatter(lambda y, _pos: words.pct(y))


def months(result: PilotResult, words: Words) -> bytes | None:
    rows = [m for m in result.summary.months if m.figures.open_evenings]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.6))
    x = list(range(len(rows)))
    ax.bar(
        x,
        [m.figures.calls_per_evening or 0 for m in rows],
        color=_BLUE,
        label=words.t("plot_months_calls"),
    )
    ax.set_ylabel(words.t("plot_months_calls"))
    ax.set_xticks(x, [words.month_short(m.month) for m in rows], rotation=45, fontsize="small")
    level = ax.twinx()
    level.plot(
        x,
        [_value(m.figures.service_level) for m in rows],
        color=_RED,
        marker="o",
        label=words.t("plot_months_sl"),
    )
    level.axhline(result.service.assumptions.target, color=_RED, linestyle=":", linewidth=1)
    level.set_ylim(0, 1.05)
    level.yaxis.set_major_formatter(_percent_axis(words))
    level.set_ylabel(words.t("plot_months_sl"))
    handles = ax.get_legend_handles_labels()[0] + level.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", fontsize="small")
    ax.set_title(words.t("plot_months_title"))
    return _png(fig)


def municipalities(result: PilotResult, words: Words) -> bytes | None:
    rows = sorted(result.summary.municipalities, key=lambda m: m.calls.rate)
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.4))
    y = list(range(len(rows)))
    rates = [m.calls.rate for m in rows]
    ax.errorbar(
        rates,
        y,
        xerr=[
            [m.calls.rate - m.calls.low for m in rows],
            [m.calls.high - m.calls.rate for m in rows],
        ],
        fmt="o",
        color=_BLUE,
        ecolor=_BLUE,
        capsize=4,
    )
    together = result.summary.attributed_calls * 1000 / result.summary.member_population
    ax.axvline(together, color=_GREY, linestyle="--", linewidth=1)
    # Named above the plot, where no interval runs into it.
    ax.annotate(
        words.t("plot_munis_average", n=len(rows)),
        (together, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize="small",
        color=_GREY,
    )
    ax.set_yticks(y, [m.name for m in rows])
    ax.set_xlabel(words.t("col_rate"))
    ax.set_title(words.t("plot_munis_title"), pad=18)
    # Ticks fall on halves when the rates lie close together: "3,5" and "4", never "4" twice.
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: words.num(v, 0 if float(v).is_integer() else 1))
    )
    return _png(fig)


def topics(result: PilotResult, words: Words) -> bytes | None:
    rows = [t for t in result.summary.topics if t.calls][::-1]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.2))
    bars = ax.barh(
        [t.label(words.lang) for t in rows],
        [t.share for t in rows],
        color=[_BLUE if t.in_scope else _ORANGE for t in rows],
    )
    ax.bar_label(bars, labels=[words.pct(t.share) for t in rows], padding=3, fontsize="small")
    ax.xaxis.set_major_formatter(_percent_axis(words))
    ax.margins(x=0.12)
    ax.set_title(words.t("plot_topics_title"))
    return _png(fig)


def when(result: PilotResult, words: Words) -> bytes | None:
    slots = result.summary.slots
    if not slots:
        return None
    weekdays = sorted({s.weekday for s in slots}, key=lambda w: (w + 1) % 7)  # Sunday first
    minutes = sorted({s.slot_minute for s in slots})
    cells = {(s.weekday, s.slot_minute): s.mean for s in slots}
    grid = [[cells.get((w, m), 0.0) for m in minutes] for w in weekdays]
    fig, (heat, closed) = plt.subplots(1, 2, figsize=(9, 3.2), gridspec_kw={"width_ratios": [3, 2]})
    image = heat.imshow(grid, aspect="auto", cmap="Blues")
    heat.set_yticks(range(len(weekdays)), [words.weekday_short(w) for w in weekdays])
    heat.set_xticks(
        range(len(minutes)), [slot_label(m) for m in minutes], rotation=90, fontsize="small"
    )
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            heat.text(
                j,
                i,
                words.num(value, 0),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > max(map(max, grid)) * 0.6 else "black",
            )
    heat.set_title(words.t("plot_when_title"), fontsize="medium")
    fig.colorbar(image, ax=heat, fraction=0.05)
    by_hour = [0] * 24
    for (_w, hour), calls in result.summary.closed_by_weekday_hour.items():
        by_hour[hour] += calls
    # The hours around those with calls, not the empty night.
    used = [h for h, n in enumerate(by_hour) if n] or [18, 22]
    hours = list(range(max(0, min(used) - 1), min(24, max(used) + 2)))
    closed.bar(hours, [by_hour[h] for h in hours], color=_ORANGE)
    closed.set_xticks(hours, [f"{h:02d}" for h in hours], fontsize="small")
    closed.set_xlabel(words.t("plot_hour"))
    closed.yaxis.set_major_locator(MaxNLocator(integer=True))
    closed.set_title(words.t("plot_when_closed"), fontsize="medium")
    return _png(fig)


def service(result: PilotResult, words: Words) -> bytes | None:
    slots = sorted(result.service.slots, key=lambda s: ((s.weekday + 1) % 7, s.slot_minute))
    if not slots:
        return None
    x = list(range(len(slots)))
    fig, (agents, level) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    staffed = [s.staffed_mean for s in slots]
    if any(v is not None for v in staffed):
        agents.bar(x, [v or 0 for v in staffed], color=_BLUE, label=words.t("plot_service_staffed"))
    agents.step(
        x,
        [s.needed.agents for s in slots],
        where="mid",
        color=_RED,
        label=words.t("plot_service_needed"),
    )
    agents.set_ylabel(words.t("plot_service_agents"))
    agents.yaxis.set_major_locator(MaxNLocator(integer=True))
    agents.legend(loc="upper right", fontsize="small", ncol=2)
    agents.set_ylim(0, max(s.needed.agents for s in slots) * 1.35 + 1)
    agents.set_title(words.t("plot_service_title"))
    level.plot(
        x,
        [_value(s.service_level) for s in slots],
        color=_BLUE,
        marker="o",
        markersize=3,
        label=words.t("plot_service_observed"),
    )
    if any(s.model_service_level is not None for s in slots):
        level.plot(
            x,
            [_value(s.model_service_level) for s in slots],
            color=_GREEN,
            linestyle="--",
            label=words.t("plot_service_model"),
        )
    level.axhline(
        result.service.assumptions.target,
        color=_RED,
        linestyle=":",
        label=words.t("plot_service_target"),
    )
    level.set_ylim(0, 1.05)
    level.yaxis.set_major_formatter(_percent_axis(words))
    level.legend(loc="lower right", fontsize="small", ncol=3)
    level.set_xticks(
        x, [slot_text(words, s.weekday, s.slot_minute) for s in slots], rotation=90, fontsize=7
    )
    return _png(fig)


def options(result: PilotResult, words: Words) -> bytes | None:
    rows = [r for r in result.permanent.options if r.cost is not None]
    if not rows:
        return None
    days = {x.weekday for x in result.service.profile}
    labels = [option_label(words, r, days) for r in rows][::-1]
    hours = [r.cost.agent_hours_per_week for r in rows if r.cost is not None][::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(rows) + 1.4))
    bars = ax.barh(labels, hours, color=_BLUE)
    ax.bar_label(bars, labels=[words.num(h, 0) for h in hours], padding=3, fontsize="small")
    pilot = result.permanent.pilot_hours_per_week
    if pilot is not None:
        ax.axvline(pilot, color=_GREY, linestyle="--", linewidth=1, label=words.t("opt_pilot"))
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xlabel(words.t("col_agent_hours"))
    ax.margins(x=0.1)
    ax.tick_params(axis="y", labelsize="small")
    ax.set_title(words.t("plot_options_title"))
    return _png(fig)


def forecast(result: PilotResult, words: Words) -> bytes | None:
    section = result.outlook
    if not section.history_weeks and not section.weeks:
        return None

    def when(days: list[date]) -> list[float]:
        return [float(d.toordinal()) for d in days]

    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.plot(
        when([m for m, _ in section.history_weeks]),
        [c for _, c in section.history_weeks],
        color=_BLUE,
        label=words.t("plot_forecast_history"),
    )
    if section.backtest is not None:
        weeks = section.backtest.per_week
        days = when([w.week for w in weeks])
        ax.plot(
            days,
            [w.model for w in weeks],
            color=_GREEN,
            marker="o",
            markersize=3,
            linestyle="--",
            label=words.t("plot_forecast_model"),
        )
        ax.plot(
            days,
            [w.naive for w in weeks],
            color=_GREY,
            marker="x",
            markersize=3,
            linestyle=":",
            label=words.t("plot_forecast_naive"),
        )
    if section.weeks:
        ax.plot(
            when([w.monday for w in section.weeks]),
            [w.calls for w in section.weeks],
            color=_RED,
            marker="o",
            markersize=3,
            label=words.t("plot_forecast_future"),
        )
    ax.set_ylabel(words.t("plot_calls_week"))
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", fontsize="small", ncol=2)
    ax.set_title(words.t("plot_forecast_title"))
    # A tick on the first of every other month, named in the document's language.
    everything = [m for m, _ in section.history_weeks] + [w.monday for w in section.weeks]
    ticks = _month_starts(min(everything), max(everything))[::2]
    ax.set_xticks(when(ticks), [words.month_short(t) for t in ticks], rotation=30)
    return _png(fig)


def _month_starts(first: date, last: date) -> list[date]:
    out = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


PLOTS: dict[str, Callable[[PilotResult, Words], bytes | None]] = {
    "months": months,
    "municipalities": municipalities,
    "topics": topics,
    "when": when,
    "service": service,
    "options": options,
    "forecast": forecast,
}


def render_plots(result: PilotResult, words: Words) -> dict[str, bytes]:
    """Every plot the data allows: name -> PNG bytes."""
    out = {}
    for name, draw in PLOTS.items():
        png = draw(result, words)
        if png is not None:
            out[name] = png
    return out
