"""The pilot report as one self-contained HTML document (pure: text in, text out).

No scripts, no external files: the plots are PNG data URIs and the styles are inline, so the
file can be mailed, archived and printed as it is. The print styles put each section on a new
A4 page, keep table rows and figures whole, and repeat table headers across pages; printing
to PDF from a browser gives the steering group's paper copy.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from hotline_report.pilot.analysis import PilotResult
from hotline_report.pilot.forecast import LEVEL_EVENINGS
from hotline_report.pilot.i18n import Words
from hotline_report.pilot.labels import days_text, option_label, slot_text

__all__ = ["PHONE", "render"]

PHONE = "70 20 00 00"

_CSS = """
:root { --ink: #1d2733; --muted: #5a6572; --line: #d4d9df; --accent: #3b6ea5; --warn: #c8553d; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1000px; padding: 24px 32px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 21px; border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin-top: 0; }
h3 { font-size: 16px; margin: 22px 0 8px; }
p, li { margin: 6px 0; }
.lead { color: var(--muted); }
nav ol { columns: 2; padding-left: 20px; }
section { padding-top: 28px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px;
         margin: 14px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .value { font-size: 24px; font-weight: bold; color: var(--accent); }
.card .label { font-size: 12px; color: var(--muted); }
dl.answers { margin: 8px 0 16px; }
dl.answers dt { font-weight: bold; margin-top: 8px; }
dl.answers dd { margin: 2px 0 0 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left;
         vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid var(--line); }
tr.reference td { background: #f6f7f9; font-style: italic; }
figure { margin: 10px 0 16px; }
figure img { max-width: 100%; height: auto; display: block; }
.formula { font-family: "DejaVu Serif", Georgia, serif; font-size: 17px; margin: 10px 0;
           padding: 8px 12px; background: #f6f7f9; border-left: 3px solid var(--accent); }
.note { font-size: 12px; color: var(--muted); }
.warn { color: var(--warn); }
footer { margin-top: 30px; font-size: 12px; color: var(--muted); }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { break-after: page; }
  section { break-before: page; padding-top: 0; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  tr, figure, .card, .formula, dl.answers dd { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    foot: Sequence[Sequence[str]] = (),
    row_classes: Sequence[str] = (),
) -> str:
    def cells(tag: str, values: Sequence[str]) -> str:
        out = []
        for i, value in enumerate(values):
            css = ' class="n"' if numeric[i] else ""
            out.append(f"<{tag}{css}>{_e(value)}</{tag}>")
        return "".join(out)

    body = []
    for i, row in enumerate(rows):
        css = row_classes[i] if i < len(row_classes) else ""
        attribute = f' class="{css}"' if css else ""
        body.append(f"<tr{attribute}>{cells('td', row)}</tr>")
    tail = "".join(f"<tr>{cells('td', r)}</tr>" for r in foot)
    return (
        f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{''.join(body)}</tbody>"
        + (f"<tfoot>{tail}</tfoot>" if tail else "")
        + "</table>"
    )


def _figure(plots: dict[str, bytes], name: str, alt: str) -> str:
    png = plots.get(name)
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def _card(value: str, label: str) -> str:
    return (
        f'<div class="card"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div></div>'
    )


def _p(text: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<p{attribute}>{_e(text)}</p>"


def _header(result: PilotResult, w: Words, generated_at: datetime, database: str) -> str:
    profile = result.service.profile
    days = days_text(w, {x.weekday for x in profile})
    opens = min((x.start for x in profile), default=None)
    closes = max((x.start for x in profile), default=None)
    hours = ""
    if opens is not None and closes is not None:
        end = (closes.hour * 60 + closes.minute + 30) % (24 * 60)
        hours = f"{days} {opens:%H:%M}–{end // 60:02d}:{end % 60:02d}"
    members = result.data.members
    subtitle = w.t(
        "subtitle",
        phone=PHONE,
        hours=hours,
        municipalities=len(members),
        population=w.count(sum(m.population for m in members)),
        team=result.options.team_size,
    )
    period = w.t(
        "period",
        first=w.day(result.data.first),
        last=w.day(result.data.last),
        evenings=w.count(len(result.evenings)),
    )
    moment = generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<header><h1>{_e(w.t('title'))}</h1>"
        + _p(subtitle, "lead")
        + _p(period)
        + _p(w.t("generated", at=moment, database=database), "note")
        + "</header>"
    )


def _nav(w: Words) -> str:
    items = "".join(
        f'<li><a href="#{key}">{_e(w.t(label))}</a></li>'
        for key, label in (
            ("summary", "s1"),
            ("service", "s2"),
            ("options", "s3"),
            ("forecast", "s4"),
            ("quality", "s5"),
            ("method", "s6"),
        )
    )
    return f"<nav><h3>{_e(w.t('contents'))}</h3><ol>{items}</ol></nav>"


def _who(result: PilotResult, w: Words) -> str:
    s = result.summary
    comparison = s.comparison
    if comparison is None or not s.municipalities:
        return w.t("na")
    names = {str(m.code): m.name for m in s.municipalities}
    rate = s.attributed_calls * 1000 / s.member_population if s.member_population else None
    if not comparison.differ:
        text = w.t(
            "who_same",
            n=len(s.municipalities),
            p=w.p(comparison.overall.p_value),
            rate=w.num(rate, 1),
        )
    else:

        def listed(direction: str) -> str:
            chosen = [names[c.key] for c in comparison.versus_rest if c.direction == direction]
            return ", ".join(chosen) or w.t("who_none")

        text = w.t(
            "who_differ",
            p=w.p(comparison.overall.p_value),
            higher=listed("higher"),
            lower=listed("lower"),
            same=listed("same"),
        )
    callers = s.callers_comparison
    if callers is not None:
        key = "who_callers_agree" if callers.differ == comparison.differ else "who_callers_disagree"
        text += " " + w.t(key, p=w.p(callers.overall.p_value))
    return text


def _growth(result: PilotResult, w: Words) -> str:
    trend = result.summary.trend
    if trend is None:
        return w.t("growth_none")
    text = w.t(
        f"growth_{trend.verdict}",
        growth=w.pct(trend.growth_per_year, 1, signed=True),
        low=w.pct(trend.low, 1, signed=True),
        high=w.pct(trend.high, 1, signed=True),
    )
    return f"{text} {w.t('growth_season')}"


def _what(result: PilotResult, w: Words) -> str:
    topics = [t for t in result.summary.topics if t.calls]
    if len(topics) < 2:
        return w.t("na")
    out = sum(t.share for t in topics if not t.in_scope)
    return w.t(
        "what",
        first=topics[0].label(w.lang),
        first_share=w.pct(topics[0].share),
        second=topics[1].label(w.lang),
        second_share=w.pct(topics[1].share),
        out=w.pct(out),
    )


def _when(result: PilotResult, w: Words) -> str:
    s = result.summary
    if not s.weekdays or not s.slots:
        return w.t("na")
    busiest = max(s.weekdays, key=lambda d: d.per_evening)
    by_slot: dict[int, list[float]] = {}
    for slot in s.slots:
        by_slot.setdefault(slot.slot_minute, []).append(slot.mean * slot.evenings)
    evenings = {slot.slot_minute: 0 for slot in s.slots}
    for slot in s.slots:
        evenings[slot.slot_minute] += slot.evenings
    peak = max(by_slot, key=lambda m: sum(by_slot[m]) / evenings[m])
    all_calls = s.headline.calls + s.headline.closed_calls
    return w.t(
        "when",
        weekday=w.weekday(busiest.weekday),
        weekday_calls=w.num(busiest.per_evening, 0),
        slot=f"{peak // 60:02d}:{peak % 60:02d}",
        slot_calls=w.num(sum(by_slot[peak]) / evenings[peak], 1),
        closed=w.count(s.headline.closed_calls),
        closed_share=w.pct(s.headline.closed_calls / all_calls if all_calls else None),
    )


def _summary(result: PilotResult, w: Words, plots: dict[str, bytes]) -> str:
    s = result.summary
    h = s.headline
    a = result.service.assumptions
    cards = "".join(
        [
            _card(w.count(h.calls), w.t("card_calls")),
            _card(w.count(h.callers), w.t("card_callers")),
            _card(
                w.pct(h.service_level),
                w.t("card_sl", target=w.pct(a.target), seconds=w.num(a.answer_within_seconds, 0)),
            ),
            _card(w.secs(h.average_wait), w.t("card_wait")),
            _card(w.pct(h.abandonment_rate, 1), w.t("card_abandon")),
            _card(w.num(h.calls_per_evening, 1), w.t("card_evening")),
            _card(w.count(h.closed_calls), w.t("card_closed")),
        ]
    )
    answers = "".join(
        f"<dt>{_e(w.t(q))}</dt><dd>{_e(text)}</dd>"
        for q, text in (
            ("q_growth", _growth(result, w)),
            ("q_who", _who(result, w)),
            ("q_what", _what(result, w)),
            ("q_when", _when(result, w)),
        )
    )
    month_rows = [
        [
            w.month(m.month),
            w.count(m.figures.open_evenings),
            w.count(m.figures.calls),
            w.num(m.figures.calls_per_evening, 1),
            w.count(m.figures.callers),
            w.pct(m.figures.service_level),
            w.secs(m.figures.average_wait),
            w.pct(m.figures.abandonment_rate, 1),
            w.count(m.figures.closed_calls),
        ]
        for m in s.months
    ]
    total = [
        [
            w.t("col_total"),
            w.count(h.open_evenings),
            w.count(h.calls),
            w.num(h.calls_per_evening, 1),
            w.count(h.callers),
            w.pct(h.service_level),
            w.secs(h.average_wait),
            w.pct(h.abandonment_rate, 1),
            w.count(h.closed_calls),
        ]
    ]
    months = _table(
        [
            w.t(k)
            for k in (
                "col_month",
                "col_evenings",
                "col_calls",
                "col_per_evening",
                "col_callers",
                "col_sl",
                "col_wait",
                "col_abandon",
                "col_closed",
            )
        ],
        month_rows,
        [False] + [True] * 8,
        foot=total,
    )
    direction = {"higher": w.t("higher"), "lower": w.t("lower"), "same": w.t("same")}
    muni_rows = [
        [
            m.name,
            w.count(m.population),
            w.count(m.calls.count),
            w.num(m.calls.rate, 1),
            f"{w.num(m.calls.low, 1)}–{w.num(m.calls.high, 1)}",
            w.num(m.callers.rate, 1),
            direction[m.versus_rest.direction] if m.versus_rest else w.t("na"),
        ]
        for m in s.municipalities
    ]
    munis = _table(
        [
            w.t(k)
            for k in (
                "col_municipality",
                "col_population",
                "col_calls",
                "col_rate",
                "col_interval",
                "col_callers_rate",
                "col_versus",
            )
        ],
        muni_rows,
        [False, True, True, True, True, True, False],
    )
    sources = sorted({(m.population_date, m.source) for m in result.data.members})
    source_text = " ".join(
        w.t("population_source", date=w.day(d), source=src) for d, src in sources
    )
    topic_rows = [
        [
            t.label(w.lang),
            w.t("yes") if t.in_scope else w.t("no"),
            w.count(t.calls),
            w.pct(t.share, 1),
            w.count(t.answered),
        ]
        for t in s.topics
        if t.calls
    ]
    topics = _table(
        [w.t(k) for k in ("col_topic", "col_in_scope", "col_calls", "col_share", "col_answered")],
        topic_rows,
        [False, False, True, True, True],
    )
    weekday_rows = [
        [w.weekday(d.weekday), w.count(d.evenings), w.count(d.calls), w.num(d.per_evening, 1)]
        for d in sorted(s.weekdays, key=lambda d: (d.weekday + 1) % 7)
    ]
    weekdays = _table(
        [w.t(k) for k in ("col_weekday", "col_evenings", "col_calls", "col_per_evening")],
        weekday_rows,
        [False, True, True, True],
    )
    note = w.t(
        "munis_note",
        n=len(s.municipalities),
        attributed=w.count(s.attributed_calls),
        calls=w.count(h.calls),
    )
    return (
        f'<section id="summary"><h2>{_e(w.t("s1"))}</h2>'
        f'<div class="cards">{cards}</div>'
        f'<h3>{_e(w.t("answers"))}</h3><dl class="answers">{answers}</dl>'
        f"<h3>{_e(w.t('months_title'))}</h3>{months}"
        f"{_figure(plots, 'months', w.t('plot_months_title'))}"
        f"<h3>{_e(w.t('munis_title'))}</h3>{munis}"
        + _p(note + " " + source_text, "note")
        + f"{_figure(plots, 'municipalities', w.t('plot_munis_title'))}"
        f"<h3>{_e(w.t('topics_title'))}</h3>{topics}"
        f"{_figure(plots, 'topics', w.t('plot_topics_title'))}"
        f"<h3>{_e(w.t('when_title'))}</h3>{weekdays}"
        f"{_figure(plots, 'when', w.t('plot_when_title'))}"
        "</section>"
    )


def _source(w: Words, source: str) -> str:
    return w.t(f"src_{source}")


def _service(result: PilotResult, w: Words, plots: dict[str, bytes]) -> str:
    sec = result.service
    a = sec.assumptions
    target = w.pct(a.target)
    seconds = w.num(a.answer_within_seconds, 0)
    if a.evenings_with_agents == 0 or sec.model_service_level is None:
        why = w.t("service_no_agents")
    else:
        why = w.t(
            "service_intro",
            observed=w.pct(sec.observed_service_level),
            model=w.pct(sec.model_service_level),
        )
        gap = (sec.observed_service_level or 0) - sec.model_service_level
        if abs(gap) <= 0.05:
            busiest = max(sec.slots, key=lambda s: s.arrivals_mean)
            why += " " + w.t(
                "service_agrees",
                staffed=w.num(busiest.staffed_mean, 1),
                needed=w.count(busiest.needed.agents),
                target=target,
                seconds=seconds,
            )
        else:
            why += " " + w.t("service_worse" if gap < 0 else "service_better")
    patience = w.t("na") if a.patience_seconds is None else w.secs(a.patience_seconds)
    rows = [
        [w.t("a_talk"), w.secs(a.talk_seconds), _source(w, a.talk_source)],
        [w.t("a_wrap"), w.secs(a.wrap_up_seconds), _source(w, a.wrap_up_source)],
        [w.t("a_shrink"), w.pct(a.shrinkage, 1), _source(w, a.shrinkage_source)],
        [w.t("a_patience"), patience, _source(w, a.patience_source)],
        [w.t("a_target"), f"{target} / {w.secs(a.answer_within_seconds)}", w.t("src_rules")],
        [w.t("a_occupancy"), w.pct(a.max_occupancy), w.t("src_rules")],
        [w.t("a_evenings"), f"{w.count(a.evenings_with_agents)} / {w.count(a.evenings)}", ""],
    ]
    assumptions = _table(
        [w.t("col_input"), w.t("col_value"), w.t("col_source")], rows, [False, True, False]
    )
    slots = sorted(sec.slots, key=lambda s: ((s.weekday + 1) % 7, s.slot_minute))
    slot_rows = [
        [
            slot_text(w, s.weekday, s.slot_minute),
            w.count(s.evenings),
            w.num(s.arrivals_mean, 1),
            w.pct(s.service_level),
            w.secs(s.average_wait),
            w.pct(s.abandonment_rate),
            w.num(s.logged_in_mean, 1),
            w.num(s.staffed_mean, 1),
            w.count(s.needed.agents),
            w.count(s.needed.rostered_agents),
            w.pct(s.model_service_level),
        ]
        for s in slots
    ]
    table = _table(
        [
            w.t(k)
            for k in (
                "col_slot",
                "col_evenings",
                "col_calls_mean",
                "col_sl",
                "col_wait",
                "col_abandon",
                "col_logged_in",
                "col_staffed",
                "col_needed",
                "col_rostered",
                "col_model_sl",
            )
        ],
        slot_rows,
        [False] + [True] * 10,
    )
    hours = ""
    if sec.agent_hours_per_week is not None:
        hours = _p(
            w.t(
                "hours_line",
                pilot=w.num(sec.agent_hours_per_week, 1),
                overhead=w.num(sec.overhead_hours_per_week, 1),
                needed=w.num(sec.needed_hours_per_week, 1),
            )
        )
    return (
        f'<section id="service"><h2>{_e(w.t("s2"))}</h2>'
        f"<p><strong>{_e(why)}</strong></p>{hours}"
        f"{_figure(plots, 'service', w.t('plot_service_title'))}"
        f"<h3>{_e(w.t('assumptions_title'))}</h3>{assumptions}"
        f"<h3>{_e(w.t('service_table_title'))}</h3>{table}"
        "</section>"
    )


def _break_even(result: PilotResult, w: Words) -> str:
    p = result.permanent
    moving, scope = p.break_even_moving, p.break_even_in_scope
    k = moving.in_person_multiple or 0
    unknown = w.t("be_unknown")
    inputs = _table(
        [w.t("breakeven_inputs"), w.t("col_value"), ""],
        [
            ["H", w.num(moving.agent_hours_per_week, 1), w.t("be_H")],
            ["N", w.num(moving.answered_calls_per_week, 1), w.t("be_N_moving")],
            ["N", w.num(scope.answered_calls_per_week, 1), w.t("be_N_scope")],
            ["k", w.num(k, 0), w.t("be_k")],
            [
                "w",
                w.num(moving.agent_hour_cost, 0) if moving.agent_hour_cost else unknown,
                w.t("be_w"),
            ],
            [
                "c",
                w.num(moving.online_task_cost, 0) if moving.online_task_cost else unknown,
                w.t("be_c"),
            ],
        ],
        [False, True, False],
    )
    lines = [
        f"<p>{_e(w.t('breakeven_text', k=w.num(k, 0)))}</p>",
        '<div class="formula">p ≥ p* = H · w / (N · (k − 1) · c)</div>',
        inputs,
    ]
    if moving.coefficient is not None:
        lines.append(f"<p>{_e(w.t('breakeven_moving', k=w.num(k, 0)))}</p>")
        lines.append(
            f'<div class="formula">p* = {_e(w.num(moving.agent_hours_per_week, 1))} · w / '
            f"({_e(w.num(moving.answered_calls_per_week, 1))} · {_e(w.num(k - 1, 0))} · c) = "
            f"{_e(w.num(moving.coefficient, 4))} · w / c</div>"
        )
        if moving.share_needed is not None:
            lines.append(
                f"<p>{_e(w.t('breakeven_given', share=w.pct(moving.share_needed, 1)))}</p>"
            )
    if scope.hours_per_call is not None:
        lines.append(f"<p>{_e(w.t('breakeven_scope'))}</p>")
        lines.append(
            f'<div class="formula">p* = {_e(w.num(scope.agent_hours_per_week, 1))} · w / '
            f"({_e(w.num(scope.answered_calls_per_week, 1))} · (k − 1) · c) = "
            f"{_e(w.num(scope.hours_per_call, 4))} · w / ((k − 1) · c)</div>"
        )
    lines.append(f'<p class="note">{_e(w.t("breakeven_note"))}</p>')
    return "".join(lines)


def _options(result: PilotResult, w: Words, plots: dict[str, bytes]) -> str:
    p = result.permanent
    a = result.service.assumptions
    days = {x.weekday for x in result.service.profile}
    head = [
        w.t(k)
        for k in (
            "col_option",
            "col_open_hours",
            "col_queue_calls",
            "col_agent_hours",
            "col_per_person",
            "col_peak",
            "col_sl_mean",
            "col_sl_busy",
            "col_hours_busy",
        )
    ]
    rows: list[list[str]] = []
    classes: list[str] = []
    if p.pilot_hours_per_week is not None:
        rows.append(
            [
                w.t("opt_pilot"),
                "",
                "",
                w.num(p.pilot_hours_per_week, 1),
                w.num(p.pilot_hours_per_week / p.team_size, 1),
                "",
                w.pct(p.pilot_service_level),
                "",
                "",
            ]
        )
        classes.append("reference")
    for row in p.options:
        c = row.cost
        if c is None:
            continue
        peak = w.count(c.peak_agents)
        if not c.within_team:
            peak += " *"
        rows.append(
            [
                option_label(w, row, days),
                w.num(c.open_hours_per_week, 1),
                w.num(c.calls_per_week, 0),
                w.num(c.agent_hours_per_week, 1),
                w.num(c.agent_hours_per_person, 1),
                peak,
                w.pct(c.service_level),
                w.pct(c.service_level_busy_week),
                w.num(c.agent_hours_per_week_busy, 1),
            ]
        )
        classes.append("")
    table = _table(head, rows, [False] + [True] * 8, row_classes=classes)
    over = [r for r in p.options if r.cost is not None and not r.cost.within_team]
    over_note = f'<p class="note">* {_e(w.t("over_team", team=p.team_size))}</p>' if over else ""
    u = p.unserved
    unserved = (
        f"<h3>{_e(w.t('unserved_title'))}</h3>"
        + _p(
            w.t(
                "unserved_scope",
                calls=w.count(u.out_of_scope_calls),
                per_week=w.num(u.per_week(u.out_of_scope_calls), 1),
                answered=w.count(u.out_of_scope_answered),
                hours=w.num(u.out_of_scope_agent_hours, 0),
                hours_week=w.num(u.per_week(u.out_of_scope_agent_hours), 1),
            )
        )
        + _p(
            w.t(
                "unserved_closed",
                calls=w.count(u.closed_calls),
                per_week=w.num(u.per_week(u.closed_calls), 1),
            )
        )
    )
    return (
        f'<section id="options"><h2>{_e(w.t("s3"))}</h2>'
        + _p(
            w.t(
                "options_intro",
                target=w.pct(a.target),
                seconds=w.num(a.answer_within_seconds, 0),
                team=p.team_size,
            )
        )
        + f"{table}{over_note}"
        + _p(w.t("options_note", population=w.count(result.options.extra_population)), "note")
        + f"{_figure(plots, 'options', w.t('plot_options_title'))}"
        f"{unserved}"
        f"<h3>{_e(w.t('breakeven_title'))}</h3>{_break_even(result, w)}"
        "</section>"
    )


def _forecast(result: PilotResult, w: Words, plots: dict[str, bytes]) -> str:
    o = result.outlook
    parts = [f'<section id="forecast"><h2>{_e(w.t("s4"))}</h2>']
    bt = o.backtest
    if bt is None:
        # The back-test's own reason is English; the document says the same in its language
        # (forecast.backtest: the held-back weeks plus two to fit on).
        why = w.t(
            "forecast_no_backtest",
            held=o.holdout_weeks,
            need=o.holdout_weeks + 2,
            have=len(o.history_weeks),
        )
        parts.append(f"<p><strong>{_e(why)}</strong></p>")
    else:
        key = "forecast_better" if bt.model_better else "forecast_worse"
        verdict = w.t(
            key,
            weeks=len(bt.weeks),
            model=w.num(bt.model.mae, 2),
            naive=w.num(bt.naive.mae, 2),
            change=w.pct(-bt.mae_change),
        )
        parts.append(f"<p><strong>{_e(verdict)}</strong></p>")
        sunday = bt.weeks[-1] + timedelta(days=6)
        title = w.t("backtest_title", first=w.day(bt.weeks[0]), last=w.day(sunday))
        parts.append(f"<h3>{_e(title)}</h3>")
        parts.append(
            _table(
                [
                    w.t(k)
                    for k in ("col_method", "col_mae", "col_rmse", "col_weekly_mae", "col_bias")
                ],
                [
                    [
                        w.t("m_model"),
                        w.num(bt.model.mae, 2),
                        w.num(bt.model.rmse, 2),
                        w.num(bt.model.weekly_mae, 1),
                        w.num(bt.model.bias, 2),
                    ],
                    [
                        w.t("m_naive"),
                        w.num(bt.naive.mae, 2),
                        w.num(bt.naive.rmse, 2),
                        w.num(bt.naive.weekly_mae, 1),
                        w.num(bt.naive.bias, 2),
                    ],
                ],
                [False, True, True, True, True],
            )
        )
    if o.weeks and o.start is not None:
        parts.append(f"<h3>{_e(w.t('forecast_title', start=w.day(o.start)))}</h3>")
        rows = [
            [
                w.day(week.monday),
                w.count(week.evenings),
                ", ".join(f"{w.day(d)} ({reason})" for d, reason in week.closed),
                w.num(week.calls, 0),
                w.num(week.peak_half_hour, 1),
                w.num(week.agent_hours, 1),
                w.count(week.peak_agents),
            ]
            for week in o.weeks
        ]
        parts.append(
            _table(
                [
                    w.t(k)
                    for k in (
                        "col_week",
                        "col_evenings",
                        "col_closed_days",
                        "col_calls",
                        "col_peak_calls",
                        "col_agent_hours",
                        "col_peak_agents",
                    )
                ],
                rows,
                [False, True, False, True, True, True, True],
            )
        )
    parts.append(_figure(plots, "forecast", w.t("plot_forecast_title")))
    model = o.model
    growth = (
        w.pct(math.expm1(model.slope_per_year), 1, signed=True)
        if model is not None and model.trend_used
        else w.t("no_trend")
    )
    if o.schedule_ends is not None:
        note = w.t(
            "forecast_note", evenings=LEVEL_EVENINGS, growth=growth, ends=w.day(o.schedule_ends)
        )
    else:
        note = w.t("forecast_note_short", evenings=LEVEL_EVENINGS, growth=growth)
    parts.append(f'<p class="note">{_e(note)}</p></section>')
    return "".join(parts)


def _spans(days: Sequence[date], all_days: Sequence[date]) -> list[tuple[date, date, int]]:
    """Runs of consecutive scheduled evenings (in `all_days`' order) that are all in `days`."""
    wanted = set(days)
    spans: list[tuple[date, date, int]] = []
    current: list[date] = []
    for day in all_days:
        if day in wanted:
            current.append(day)
        elif current:
            spans.append((current[0], current[-1], len(current)))
            current = []
    if current:
        spans.append((current[0], current[-1], len(current)))
    return spans


def _span(w: Words, first: date, last: date) -> str:
    return w.day(first) if first == last else f"{w.day(first)} – {w.day(last)}"


def _quality(result: PilotResult, w: Words) -> str:
    q = result.quality
    n = len(result.data.members)
    total = q.calls or 1
    rows = [
        [w.t("q_catchment", n=n), w.count(q.catchment), w.pct(q.catchment / total, 1)],
        [
            w.t("q_outside", n=n),
            w.count(q.outside_catchment),
            w.pct(q.outside_catchment / total, 1),
        ],
        [
            w.t("q_unknown_postcode"),
            w.count(q.unknown_postcode),
            w.pct(q.unknown_postcode / total, 1),
        ],
        [w.t("q_no_postcode"), w.count(q.no_postcode), w.pct(q.no_postcode / total, 1)],
        [w.t("q_live"), w.count(q.live), w.pct(q.live / total, 1)],
        [w.t("q_imported"), w.count(q.imported), w.pct(q.imported / total, 1)],
        [w.t("q_withheld"), w.count(q.withheld), w.pct(q.withheld / (q.within_hours or 1), 1)],
        [w.t("q_no_agent"), w.count(q.no_agent), w.pct(q.no_agent / (q.within_hours or 1), 1)],
        [w.t("q_menu"), w.count(q.menu_hangups), w.pct(q.menu_hangups / (q.within_hours or 1), 1)],
        [
            w.t("q_short", seconds=w.num(result.options.short_abandon_seconds, 0)),
            w.count(q.short_abandoned),
            w.pct(q.short_abandoned / (q.within_hours or 1), 1),
        ],
        [
            w.t("q_agents"),
            f"{w.count(q.evenings_with_agents)} / {w.count(q.evenings_with_calls)}",
            "",
        ],
    ]
    table = _table(
        [w.t("col_measure"), w.t("col_count"), w.t("col_share")], rows, [False, True, True]
    )
    spans = _spans(q.missing_evenings, q.scheduled)
    if spans:
        missing = (
            "<ul>"
            + "".join(f"<li>{_e(_span(w, a, b))} ({_e(w.count(k))})</li>" for a, b, k in spans)
            + "</ul>"
        )
    else:
        missing = f"<p>{_e(w.t('missing_none'))}</p>"
    unscheduled = ""
    if q.unscheduled_evenings:
        dates = ", ".join(w.day(d) for d in q.unscheduled_evenings)
        unscheduled = _p(w.t("unscheduled", dates=dates), "warn")
    dl = q.dead_letters
    if not dl.available:
        letters = f"<p>{_e(w.t('deadletters_unavailable', reason=dl.reason))}</p>"
    else:
        letters = _table(
            [
                w.t(k)
                for k in (
                    "col_dl_topic",
                    "col_dl_total",
                    "col_dl_rejected",
                    "col_dl_events",
                    "col_dl_timeless",
                )
            ],
            [
                [
                    c.topic,
                    w.count(c.total),
                    w.count(c.rejected_in_range),
                    w.count(c.events_in_range),
                    w.count(c.without_event_time),
                ]
                for c in dl.topics
            ],
            [False, True, True, True, True],
        )
    return (
        f'<section id="quality"><h2>{_e(w.t("s5"))}</h2>'
        + _p(
            w.t(
                "quality_intro",
                calls=w.count(q.calls),
                within=w.count(q.within_hours),
                missing=w.count(len(q.missing_evenings)),
                scheduled=w.count(len(q.scheduled)),
            )
        )
        + f"{table}<h3>{_e(w.t('missing_title'))}</h3>{missing}{unscheduled}"
        f"<h3>{_e(w.t('deadletters_title'))}</h3>{letters}"
        "</section>"
    )


def _method(result: PilotResult, w: Words) -> str:
    a = result.service.assumptions
    items = w.t(
        "method_items",
        seconds=w.num(a.answer_within_seconds, 0),
        short=w.num(result.options.short_abandon_seconds, 0),
    ).split("|")
    listed = "".join(f"<li>{_e(item)}</li>" for item in items)
    return (
        f'<section id="method"><h2>{_e(w.t("s6"))}</h2>'
        f"<p>{_e(w.t('method_intro'))}</p><ul>{listed}</ul></section>"
    )


def render(
    result: PilotResult,
    words: Words,
    plots: dict[str, bytes],
    *,
    generated_at: datetime,
    database: str,
) -> str:
    """The whole document."""
    body = "".join(
        [
            _header(result, words, generated_at, database),
            _nav(words),
            _summary(result, words, plots),
            _service(result, words, plots),
            _options(result, words, plots),
            _forecast(result, words, plots),
            _quality(result, words),
            _method(result, words),
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{words.lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(words.t('title'))}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
