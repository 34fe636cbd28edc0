"""PNG plots for the load report (matplotlib, headless Agg backend)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI: render to files only

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from hotline_capacity.local_time import WEEKDAYS, slot_key
from hotline_report.analysis import ReportResult

__all__ = ["write_plots"]

_DPI = 110


def _slot_label(weekday: int, start: object) -> str:
    return f"{WEEKDAYS[weekday]} {start:%H:%M}"


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path


def load_against_team(result: ReportResult, path: Path) -> Path:
    """Offered calls and the rostered agents they need per half hour, against the team."""
    staffing = result.baseline.staffing
    labels = [_slot_label(s.load.weekday, s.load.start) for s in staffing]
    x = list(range(len(labels)))
    fig, (calls_ax, agents_ax) = plt.subplots(
        2, 1, figsize=(max(8.0, 0.28 * len(labels) + 2), 7), sharex=True
    )
    calls_ax.bar(x, [s.load.offered_mean for s in staffing], color="#4c78a8", label="mean")
    calls_ax.scatter(
        x, [s.load.offered_p90 for s in staffing], color="#e45756", marker="_", s=120,
        label="90th percentile", zorder=3,
    )  # fmt: skip
    calls_ax.set_ylabel("offered calls per 30 min")
    calls_ax.set_title("Offered load per half hour of the week (open evenings)")
    calls_ax.legend(loc="upper right")
    agents_ax.step(
        x, [s.mean.rostered_agents for s in staffing], where="mid", label="needed, mean evening"
    )
    agents_ax.step(
        x, [s.p90.rostered_agents for s in staffing], where="mid", linestyle="--",
        label="needed, busy evening (p90)",
    )  # fmt: skip
    if result.whatif is not None:
        by_key = {s.load.key: s.mean.rostered_agents for s in result.whatif.staffing}
        agents_ax.step(
            x, [by_key.get(s.load.key, 0) for s in staffing], where="mid", linestyle=":",
            label=f"needed, {result.whatif.label}",
        )  # fmt: skip
    team = result.options.team_size
    agents_ax.axhline(team, color="black", linewidth=1)
    agents_ax.annotate(f"team of {team}", (0, team), xytext=(2, 3), textcoords="offset points")
    agents_ax.set_ylabel("rostered agents")
    # Headroom above the team line for the legend; agents come in whole numbers.
    agents_ax.set_ylim(0, max(team, *(s.p90.rostered_agents for s in staffing), 1) * 1.45)
    agents_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    model = "Erlang A" if result.patience_used else "Erlang C"
    agents_ax.set_title(f"Agents needed ({model}) against the team")
    agents_ax.legend(loc="upper right", fontsize="small", ncol=3)
    agents_ax.set_xticks(x, labels, rotation=90, fontsize="small")
    return _save(fig, path)


def calls_per_citizen(result: ReportResult, path: Path) -> Path:
    rows = sorted(result.data.municipalities, key=lambda m: m.calls_per_1000_per_evening)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
    bars = ax.barh([m.name for m in rows], [m.calls_per_1000_per_evening for m in rows])
    ax.bar_label(bars, fmt="%.3f", padding=3, fontsize="small")
    ax.set_xlabel("offered calls per 1,000 citizens per open evening")
    ax.set_title(f"Calls per citizen, {result.open_evenings} open evenings")
    ax.margins(x=0.15)
    return _save(fig, path)


def demand_while_closed(result: ReportResult, path: Path) -> Path:
    cells = [[0] * 24 for _ in range(7)]
    for row in result.data.while_closed:
        cells[row.weekday][row.hour] += row.calls
    fig, ax = plt.subplots(figsize=(10, 3.6))
    image = ax.imshow(cells, aspect="auto", cmap="Oranges")
    ax.set_yticks(range(7), list(WEEKDAYS))
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize="small")
    ax.set_xlabel("local hour")
    ax.set_title("Calls offered while closed, by weekday and hour")
    fig.colorbar(image, ax=ax, label="calls")
    return _save(fig, path)


def forecast_plot(result: ReportResult, path: Path) -> Path | None:
    forecast = result.forecast
    if forecast is None or not forecast.points:
        return None
    fig, ax = plt.subplots(figsize=(max(8.0, 0.28 * len(forecast.points) + 2), 4.5))
    x = list(range(len(forecast.points)))
    ax.plot(x, [p.offered_mean for p in forecast.points], marker="o", label="forecast (mean)")
    by_slot = {(s.weekday, s.start): s.offered_mean for s in result.profile}
    keys = [slot_key(p.interval_start) for p in forecast.points]
    ax.plot(x, [by_slot.get(k, 0.0) for k in keys], linestyle="--", label="history mean")
    ax.set_xticks(x, [_slot_label(*k) for k in keys], rotation=90, fontsize="small")
    ax.set_ylabel("offered calls per 30 min")
    ax.set_title(f"Forecast for the week of {forecast.week_start:%Y-%m-%d}")
    ax.legend(loc="upper right")
    return _save(fig, path)


def write_plots(result: ReportResult, directory: Path) -> dict[str, Path]:
    """Every plot the data allows, as PNG files in ``directory``; name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if result.baseline.staffing:
        written["load"] = load_against_team(result, directory / "load-against-team.png")
    if result.data.municipalities:
        written["per_citizen"] = calls_per_citizen(result, directory / "calls-per-1000.png")
    if result.data.while_closed:
        written["closed"] = demand_while_closed(result, directory / "demand-while-closed.png")
    forecast = forecast_plot(result, directory / "forecast.png")
    if forecast is not None:
        written["forecast"] = forecast
    return written
