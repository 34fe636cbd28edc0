"""Names of things in the document's language: weekday spans, half hours, options (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from hotline_report.pilot.grid import slot_label
from hotline_report.pilot.i18n import Words
from hotline_report.pilot.permanent import OptionRow

__all__ = ["days_text", "option_label", "slot_text"]


def days_text(words: Words, weekdays: Iterable[int]) -> str:
    """ "søn–tor" for Sunday to Thursday (a run, wrapping round the week), else a list."""
    days = sorted(set(weekdays))
    if not days:
        return ""
    if len(days) == 7:
        return f"{words.weekday_short(0)}–{words.weekday_short(6)}"
    for first in days:
        run = [(first + k) % 7 for k in range(len(days))]
        if sorted(run) == days:
            if len(run) == 1:
                return words.weekday_short(first)
            return f"{words.weekday_short(run[0])}–{words.weekday_short(run[-1])}"
    # Not one run round the week: list them, Monday first.
    return ", ".join(words.weekday_short(d) for d in days)


def slot_text(words: Words, weekday: int, minute: int) -> str:
    # A no-break space: "søn 18:30" stays on one line in a narrow table column.
    return f"{words.weekday_short(weekday)}\u00a0{slot_label(minute)}"


def option_label(words: Words, row: OptionRow, open_days: Iterable[int]) -> str:
    p = row.params
    days = days_text(words, open_days)
    if row.key in ("today", "shorter", "longer"):
        return words.t(f"opt_{row.key}", days=days, hours=str(p["hours"]).replace("-", "–"))
    if row.key == "without_calmest_day":
        return words.t("opt_without_calmest_day", weekday=words.weekday(int(p["weekday"])))
    if row.key == "three_busiest_days":
        chosen = [int(x) for x in str(p["weekdays"]).split(",")]
        return words.t("opt_three_busiest_days", weekdays=days_text(words, chosen))
    if row.key == "more_citizens":
        return words.t("opt_more_citizens", population=words.count(float(p["population"])))
    if row.key in ("without_largest", "without_smallest"):
        return words.t(
            f"opt_{row.key}", name=p["name"], population=words.count(float(p["population"]))
        )
    if row.key.startswith("growth_"):
        return words.t("opt_growth", growth=words.pct(float(p["growth"]), signed=True))
    if row.key == "trend_year":
        return words.t("opt_trend_year", growth=words.pct(float(p["growth"]), 1, signed=True))
    return row.key
