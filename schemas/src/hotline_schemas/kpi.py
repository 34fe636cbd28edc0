"""Operational metric definitions, written once: pure Python and the matching ClickHouse SQL.

The definitions (and the variants other contact-centre systems use) are explained in
`docs/metrics.md`, section "Operational definitions". They are the standard contact-centre
ones, for calls offered within opening hours:

- time in the menu (IVR) and time in the queue are apart: the wait starts at queue entry (the
  `queued` event; when a source reports no queue entry for an answered call, at `offered`)
  and ends at `answered`, else at `abandoned`, else (an unanswered call) at `ended`;
- every finished call has one outcome (`outcome_of`): answered; closed (offered outside the
  opening hours, or the provider played the closed message); left the queue (the queue timed
  out, the caller pressed a key to leave, or no agent was logged in: end reason
  `queue_timeout`, `queue_key`, `queue_empty`); hung up in the menu (never queued); a short
  abandon (hung up in the queue within `short_abandon_s`, default 5 s: a misdial or an instant
  hang-up); abandoned (hung up in the queue later); no_agent (no outcome ever arrived);
- service level = answered within `service_level_s` (default 20 s) of queue entry / (answered
  + abandoned + left the queue): short abandons and menu hang-ups count in no ratio;
- abandonment rate = abandoned / (answered + abandoned + left the queue);
- average speed of answer = mean wait (from queue entry) of answered calls;
- average handle time = mean talk time (answered to ended) of calls that ended; call events
  carry no after-call work (agent events do: see the agent views), so this is talk time only.

A window counts a call where its outcome happened: answered calls by their answer time, other
outcomes by the time the call ended unanswered (abandoned, else ended), talk by the end time,
offered calls by their offered time.

Three consumers use these definitions: the board (call events -> `per_call_sql`,
`derived_sql`, `window_counts_sql`, `live_sql`), the ClickHouse views over call records (the
migrations write `{{ kpi("name") }}` and `hotline_sink.templates` splices `RECORD_SQL[name]`
in; the migration checksum covers the spliced text, so changing a definition here without a
new migration is an error) and the report (which reads the views). Tests hold the Python and
every SQL form to the same hand-computed answers on ClickHouse 18.16 and chdb.

The SQL runs unchanged on ClickHouse 18.16 and current ClickHouse: no CTEs over subqueries, no
`toStartOfInterval`, no `DateTime64`. Only numbers and identifiers validated by `identifier()`
are spliced into it.
"""

# ruff: noqa: S608 - a SQL builder: only integers, SQL written here and identifier()-checked
# names are spliced in (see the module docstring).

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hotline_schemas.records import Outcome

# Defaults of the business rules (`hotline_schemas.rules`, HOTLINE_RULES__*).
SERVICE_LEVEL_S = 20.0
SERVICE_LEVEL_TARGET = 0.8
SHORT_ABANDON_S = 5.0
REPEAT_CALLER_DAYS = 7
# Calls with no outcome for longer than this are taken as lost events, not as waiting callers.
LIVE_LOOKBACK_S = 2 * 3600

# End reasons (CallEventV2.end_reason) that mean the call left the queue without an agent.
LEAVE_QUEUE_REASONS = frozenset({"queue_timeout", "queue_key", "queue_empty"})
CLOSED_REASON = "closed"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Thresholds:
    service_level_s: float = SERVICE_LEVEL_S
    short_abandon_s: float = SHORT_ABANDON_S

    def __post_init__(self) -> None:
        if self.service_level_s <= 0 or self.short_abandon_s < 0:
            raise ValueError("service_level_s must be positive and short_abandon_s >= 0")


@dataclass(frozen=True)
class CallTimes:
    """The lifecycle of one call (any time may be missing), whether it came in hours, who
    answered it and why it ended unanswered (v2 events; None for v1)."""

    offered: datetime | None
    queued: datetime | None = None
    answered: datetime | None = None
    abandoned: datetime | None = None
    ended: datetime | None = None
    within_hours: bool = True
    agent_id: str | None = None
    end_reason: str | None = None

    @property
    def queue_start(self) -> datetime | None:
        """Queue entry; for an answered call a source never reported it for, the offer."""
        if self.queued is not None:
            return self.queued
        return self.offered if self.answered is not None else None

    @property
    def unanswered_end(self) -> datetime | None:
        """When an unanswered call ended: its abandon, else its end."""
        if self.answered is not None:
            return None
        return self.abandoned or self.ended

    @property
    def outcome_at(self) -> datetime | None:
        return self.answered or self.unanswered_end

    def wait_seconds(self) -> float | None:
        """Seconds in the queue until answered or the call ended; None if never queued or
        still waiting."""
        start, end = self.queue_start, self.outcome_at
        if start is None or end is None:
            return None
        return (end - start).total_seconds()

    def menu_seconds(self) -> float | None:
        """Seconds in the menu: offered to queue entry, or to the end of a call that never
        queued (0 for an answered call whose source reports no queue entry); None while in
        the menu or when the offer is unknown."""
        end = self.queue_start or self.unanswered_end
        if self.offered is None or end is None:
            return None
        return max(0.0, (end - self.offered).total_seconds())

    def talk_seconds(self) -> float | None:
        if self.answered is None or self.ended is None:
            return None
        return (self.ended - self.answered).total_seconds()


def outcome_of(call: CallTimes, th: Thresholds, *, timed_out: bool = False) -> Outcome | None:
    """The call's outcome (first match wins); None while it is still going. `timed_out`: the
    pipeline gave up waiting for its events (then no_agent when nothing ended it)."""
    if call.answered is not None:
        return Outcome.ANSWERED
    if not call.within_hours or call.end_reason == CLOSED_REASON:
        return Outcome.CLOSED
    if call.unanswered_end is None:
        return Outcome.NO_AGENT if timed_out else None
    if call.end_reason in LEAVE_QUEUE_REASONS:
        return Outcome.LEFT_QUEUE
    wait = call.wait_seconds()
    if wait is None:
        return Outcome.MENU_HANGUP
    return Outcome.SHORT_ABANDON if wait < th.short_abandon_s else Outcome.ABANDONED


def queue_outcome(
    stored: Outcome, wait_seconds: float | None, queued: bool, th: Thresholds
) -> Outcome:
    """A stored record's outcome under the current thresholds: abandons are split again at
    today's short-abandon threshold, and records from before menu hang-ups were told apart
    (abandoned, never queued) become menu hang-ups. `RECORD_SQL["queue_outcome"]` in SQL."""
    if stored not in (Outcome.ABANDONED, Outcome.SHORT_ABANDON):
        return stored
    if not queued:
        return Outcome.MENU_HANGUP
    short = (wait_seconds or 0.0) < th.short_abandon_s
    return Outcome.SHORT_ABANDON if short else Outcome.ABANDONED


def answered_within(outcome: Outcome, wait_seconds: float | None, th: Thresholds) -> bool:
    return outcome is Outcome.ANSWERED and (wait_seconds or 0.0) <= th.service_level_s


@dataclass(frozen=True)
class Counts:
    """What a window holds; every ratio below is a function of these numbers alone."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0  # in the queue, short abandons excluded
    short_abandoned: int = 0
    wait_answered_sum_s: float = 0.0
    talk_sum_s: float = 0.0
    talked: int = 0
    menu_hangups: int = 0  # never queued: in no ratio
    left_queue: int = 0  # queue time-out, key pressed to leave, no agent logged in

    @property
    def queued_outcomes(self) -> int:
        """The denominator of the service level and the abandonment rate."""
        return self.answered + self.abandoned + self.left_queue


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def service_level(c: Counts) -> float | None:
    """Answered within the threshold over answered, (long) abandoned and left the queue."""
    return _ratio(c.answered_within, c.queued_outcomes)


def abandonment_rate(c: Counts) -> float | None:
    return _ratio(c.abandoned, c.queued_outcomes)


def left_queue_rate(c: Counts) -> float | None:
    return _ratio(c.left_queue, c.queued_outcomes)


def average_speed_of_answer(c: Counts) -> float | None:
    return _ratio(c.wait_answered_sum_s, c.answered)


def average_handle_time(c: Counts) -> float | None:
    return _ratio(c.talk_sum_s, c.talked)


def occupancy(on_call_s: float, wrap_up_s: float, available_s: float) -> float | None:
    """Observed occupancy (agent events): time busy with calls (talk and after-call work) over
    time busy or ready for them; paused time is neither. `RECORD_SQL["occupancy"]`."""
    busy = on_call_s + wrap_up_s
    return _ratio(busy, busy + available_s)


def per_1000(calls: float, population: int | None) -> float | None:
    """Calls per 1,000 citizens; None when the population is unknown (or zero).

    The one definition for board, views (`RECORD_SQL["per_1000"]`) and report. Over several
    evenings, divide the calls by the evenings first: per 1,000 citizens per evening.
    """
    if not population:
        return None
    return calls * 1000 / population


@dataclass(frozen=True)
class CallerCall:
    """One call within opening hours, as the caller views see it."""

    call_id: str
    caller_key: str | None  # None: withheld number
    started_at: datetime
    topic: str


@dataclass(frozen=True)
class CallerFlags:
    is_repeat: bool  # the caller called before within the window
    is_repeat_same_topic: bool  # ... about the same topic
    called_again: bool  # the caller called again within the window after it


def caller_flags(calls: Iterable[CallerCall], repeat_days: int) -> dict[str, CallerFlags]:
    """Repeat callers (the view `caller_calls_v`): a call is a repeat when the same caller
    called before within `repeat_days` days (of its start); withheld numbers never repeat."""
    window = repeat_days * 86400.0
    by_caller: dict[str, list[CallerCall]] = {}
    out = {}
    for call in calls:
        if call.caller_key is None:
            out[call.call_id] = CallerFlags(False, False, False)
        else:
            by_caller.setdefault(call.caller_key, []).append(call)
    for own in by_caller.values():
        own.sort(key=lambda c: (c.started_at, c.call_id))
        for i, call in enumerate(own):
            before = [
                c for c in own[:i] if (call.started_at - c.started_at).total_seconds() <= window
            ]
            after = own[i + 1 : i + 2]
            again = (
                bool(after) and (after[0].started_at - call.started_at).total_seconds() <= window
            )
            same = [c for c in own[:i] if c.topic == call.topic]
            same_recent = (
                bool(same) and (call.started_at - same[-1].started_at).total_seconds() <= window
            )
            out[call.call_id] = CallerFlags(bool(before), same_recent, again)
    return out


def _inside(t: datetime | None, start: datetime, end: datetime) -> bool:
    return t is not None and start < t <= end


def count_window(
    calls: Iterable[CallTimes], start: datetime, end: datetime, th: Thresholds = Thresholds()
) -> Counts:
    """The reference implementation: counts of the in-hours calls in the window (start, end]."""
    offered = answered = within = abandoned = short = talked = menu = left = 0
    wait_sum = talk_sum = 0.0
    for call in calls:
        if not call.within_hours:
            continue
        offered += _inside(call.offered, start, end)
        outcome = outcome_of(call, th)
        wait = call.wait_seconds()
        if outcome is Outcome.ANSWERED and _inside(call.answered, start, end) and wait is not None:
            answered += 1
            within += wait <= th.service_level_s
            wait_sum += wait
        elif _inside(call.unanswered_end, start, end):
            abandoned += outcome is Outcome.ABANDONED
            short += outcome is Outcome.SHORT_ABANDON
            menu += outcome is Outcome.MENU_HANGUP
            left += outcome is Outcome.LEFT_QUEUE
        talk = call.talk_seconds()
        if talk is not None and _inside(call.ended, start, end):
            talked += 1
            talk_sum += talk
    return Counts(
        offered, answered, within, abandoned, short, wait_sum, talk_sum, talked, menu, left
    )


def _open_at(call: CallTimes, at: datetime) -> bool:
    return call.within_hours and not any(
        t is not None and t <= at for t in (call.answered, call.abandoned, call.ended)
    )


def is_waiting(call: CallTimes, at: datetime) -> bool:
    """In the queue at `at`: offered in hours, queued, no answer, abandon or end yet."""
    return call.queued is not None and call.queued <= at and _open_at(call, at)


def is_in_menu(call: CallTimes, at: datetime) -> bool:
    """In the menu at `at`: offered in hours, not (yet) queued, no answer, abandon or end."""
    offered = call.offered is not None and call.offered <= at
    return offered and (call.queued is None or call.queued > at) and _open_at(call, at)


def waiting_seconds(call: CallTimes, at: datetime) -> float | None:
    if call.queued is None or not is_waiting(call, at):
        return None
    return (at - call.queued).total_seconds()


def is_talking(call: CallTimes, at: datetime) -> bool:
    """An agent is busy with the call at `at`: answered, not ended yet."""
    return (
        call.answered is not None
        and call.answered <= at
        and (call.ended is None or call.ended > at)
    )


def agents_busy(calls: Iterable[CallTimes], at: datetime) -> int:
    return len({c.agent_id or "" for c in calls if is_talking(c, at)})


# ---- SQL over call records (the views) ----------------------------------------------------

# Each expression reads columns the view provides: `stored_outcome` (the record's outcome as
# a String), `wait_seconds`, `queued_at`, the rules `service_level_seconds` and
# `short_abandon_seconds` (from `rules_v`), and for the ratios the summed counts named like
# `Counts`' fields. Migrations use them as `{{ kpi("name") }}`; a definition with `{0}`, `{1}`
# takes column names: `{{ kpi("per_1000", "calls", "population") }}`.
_LEAVE_SQL = ", ".join(f"'{r}'" for r in sorted(LEAVE_QUEUE_REASONS))
RECORD_SQL: dict[str, str] = {
    "queue_outcome": (
        "multiIf(stored_outcome NOT IN ('abandoned', 'short_abandon'), stored_outcome, "
        "isNull(queued_at), 'menu_hangup', "
        "ifNull(wait_seconds, 0) < short_abandon_seconds, 'short_abandon', 'abandoned')"
    ),
    "answered_within": (
        "toUInt8(stored_outcome = 'answered' AND ifNull(wait_seconds, 0) <= service_level_seconds)"
    ),
    "per_1000": "if({1} > 0, {0} * 1000 / {1}, NULL)",  # (calls, population)
    "service_level": "answered_within / nullIf(answered + abandoned + left_queue, 0)",
    "abandonment_rate": "abandoned / nullIf(answered + abandoned + left_queue, 0)",
    "left_queue_rate": "left_queue / nullIf(answered + abandoned + left_queue, 0)",
    "average_speed_of_answer": "wait_answered_sum_s / nullIf(answered, 0)",
    "average_handle_time": "talk_sum_s / nullIf(talked, 0)",
    "occupancy": (
        "(on_call_seconds + wrap_up_seconds)"
        " / nullIf(on_call_seconds + wrap_up_seconds + available_seconds, 0)"
    ),
}


def identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def record_sql(name: str, *columns: str) -> str:
    """The SQL definition `name`, with column names for its `{0}`, `{1}`, ... (identifiers)."""
    text = RECORD_SQL[name]
    fields = set(re.findall(r"\{(\d)\}", text))
    if len(columns) != len(fields):
        raise ValueError(f"kpi {name!r} takes {len(fields)} column names, got {len(columns)}")
    return text.format(*(identifier(c) for c in columns))


# ---- SQL over call events (the board) -----------------------------------------------------


def occurred_between(since: str, until: str) -> str:
    """Events from `since` through `until` (SQL expressions of Unix seconds)."""
    return f"occurred_at >= toDateTime({since}) AND occurred_at <= toDateTime({until})"


def latest_events_sql(database: str, table: str, columns: str, where: str) -> str:
    """`event_id` and `e`, the tuple of `columns` (SQL expressions over `table`'s columns) of
    each event's latest stored version (highest `inserted_at`, as FINAL keeps), for the events
    that match `where`, a condition on `occurred_at` alone (e.g. `occurred_between`).

    Deduplicated by GROUP BY, not FINAL: current ClickHouse does not push a WHERE through
    FINAL, so a board query merged every event of the table before filtering (1.1 s for two
    years at ten times the pilot, against 20 ms; benchmarks/history.py), and it prunes no
    partition even from a PREWHERE. Filtering before deduplicating is exact because a duplicate
    of an event always carries the same occurred_at. One argMax over a tuple: over a Nullable
    column 18.16's argMax skips NULLs."""
    db, name = identifier(database), identifier(table)
    return f"""
SELECT event_id, argMax(({columns}), inserted_at) AS e
FROM {db}.{name}
WHERE {where}
GROUP BY event_id
""".strip()


_EVENT_COLUMNS = (
    "call_id, toString(type), within_hours, toString(topic), "
    "toFloat64(occurred_at) + occurred_at_ms / 1000, toUInt16(ifNull(municipality_code, 0)), "
    "ifNull(municipality_name, ''), ifNull(agent_id, ''), ifNull(queue, ''), "
    "ifNull(end_reason, '')"
)


def per_call_sql(database: str, since: str, until: str) -> str:
    """One row per call from `call_events` (deduplicated: `latest_events_sql`), its events
    between two SQL expressions of Unix seconds. A missing time is 0. Columns: call_id,
    offered_ts, queued_ts, answered_ts, abandoned_ts, ended_ts (Float64 Unix seconds),
    in_hours, topic, municipality_code (0 = unknown), municipality_name, agent, queue,
    end_reason ('' if none: the first abandoned or ended event's that carries one), last_ts."""
    events = latest_events_sql(
        database, "call_events", _EVENT_COLUMNS, occurred_between(since, until)
    )
    return f"""
SELECT
    call_id,
    minIf(ts, type = 'offered') AS offered_ts,
    minIf(ts, type = 'queued') AS queued_ts,
    minIf(ts, type = 'answered') AS answered_ts,
    minIf(ts, type = 'abandoned') AS abandoned_ts,
    minIf(ts, type = 'ended') AS ended_ts,
    maxIf(within_hours, type = 'offered') AS in_hours,
    argMax(topic, ts) AS topic,
    argMin(mcode, ts) AS municipality_code,
    argMin(mname, ts) AS municipality_name,
    argMaxIf(agent_raw, ts, type = 'answered') AS agent,
    argMinIf(queue_raw, ts, queue_raw != '') AS queue,
    argMinIf(reason_raw, ts, type IN ('abandoned', 'ended') AND reason_raw != '') AS end_reason,
    max(ts) AS last_ts
FROM
(
    SELECT
        tupleElement(e, 1) AS call_id,
        tupleElement(e, 2) AS type,
        tupleElement(e, 3) AS within_hours,
        tupleElement(e, 4) AS topic,
        tupleElement(e, 5) AS ts,
        tupleElement(e, 6) AS mcode,
        tupleElement(e, 7) AS mname,
        tupleElement(e, 8) AS agent_raw,
        tupleElement(e, 9) AS queue_raw,
        tupleElement(e, 10) AS reason_raw
    FROM
    (
{_indent(events, 8)}
    )
)
GROUP BY call_id
""".strip()


def _indent(sql: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in sql.splitlines())


def derived_sql(per_call: str, th: Thresholds = Thresholds()) -> str:
    """Adds the definitions per call: queue_start_ts, outcome_ts, wait_seconds, talk_seconds,
    is_answered, is_left_queue, is_menu_hangup, is_abandoned (long), is_short_abandon (the
    same classification as `outcome_of`)."""
    return f"""
SELECT
    *,
    if(queued_ts > 0, queued_ts, if(answered_ts > 0, offered_ts, 0)) AS queue_start_ts,
    if(answered_ts > 0, answered_ts, if(abandoned_ts > 0, abandoned_ts, ended_ts)) AS outcome_ts,
    if(outcome_ts > 0 AND queue_start_ts > 0, outcome_ts - queue_start_ts, 0) AS wait_seconds,
    if(answered_ts > 0 AND ended_ts > 0, ended_ts - answered_ts, 0) AS talk_seconds,
    in_hours = 1 AND answered_ts > 0 AND queue_start_ts > 0 AS is_answered,
    in_hours = 1 AND answered_ts = 0 AND outcome_ts > 0 AND end_reason != '{CLOSED_REASON}'
        AS is_unanswered_end,
    is_unanswered_end AND end_reason IN ({_LEAVE_SQL}) AS is_left_queue,
    is_unanswered_end AND NOT is_left_queue AND queue_start_ts = 0 AS is_menu_hangup,
    is_unanswered_end AND NOT is_left_queue AND queue_start_ts > 0
        AND wait_seconds >= {th.short_abandon_s:g} AS is_abandoned,
    is_unanswered_end AND NOT is_left_queue AND queue_start_ts > 0
        AND wait_seconds < {th.short_abandon_s:g} AS is_short_abandon
FROM ({per_call})
""".strip()


def _between(column: str, lo: str, hi: str) -> str:
    return f"{column} > {lo} AND {column} <= {hi}"


def window_counts_sql(
    derived: str,
    lo: str,
    hi: str,
    th: Thresholds = Thresholds(),
    group_by: str | None = None,
) -> str:
    """The Counts of the window (lo, hi] (SQL expressions of Unix seconds), in Counts' field
    order, then service_level, abandonment_rate, average_speed_of_answer, average_handle_time.
    With `group_by` (a column of `derived_sql`, e.g. queue), one row per value, it first."""
    ended = _between("outcome_ts", lo, hi)
    key = "" if group_by is None else f"{identifier(group_by)},\n    "
    tail = "" if group_by is None else f"\nGROUP BY {identifier(group_by)}"
    return f"""
SELECT
    {key}countIf(in_hours = 1 AND {_between("offered_ts", lo, hi)}) AS offered,
    countIf(is_answered AND {_between("answered_ts", lo, hi)}) AS answered,
    countIf(is_answered AND {_between("answered_ts", lo, hi)}
        AND wait_seconds <= {th.service_level_s:g}) AS answered_within,
    countIf(is_abandoned AND {ended}) AS abandoned,
    countIf(is_short_abandon AND {ended}) AS short_abandoned,
    sumIf(wait_seconds, is_answered AND {_between("answered_ts", lo, hi)}) AS wait_answered_sum_s,
    sumIf(talk_seconds, in_hours = 1 AND answered_ts > 0 AND {_between("ended_ts", lo, hi)})
        AS talk_sum_s,
    countIf(in_hours = 1 AND answered_ts > 0 AND {_between("ended_ts", lo, hi)}) AS talked,
    countIf(is_menu_hangup AND {ended}) AS menu_hangups,
    countIf(is_left_queue AND {ended}) AS left_queue,
    {RECORD_SQL["service_level"]} AS service_level,
    {RECORD_SQL["abandonment_rate"]} AS abandonment_rate,
    {RECORD_SQL["average_speed_of_answer"]} AS average_speed_of_answer,
    {RECORD_SQL["average_handle_time"]} AS average_handle_time
FROM ({derived}){tail}
""".strip()


def live_sql(derived: str, at: str, group_by: str | None = None) -> str:
    """Callers in the queue, the longest wait in it (seconds, 0 if none), callers in the menu
    and agents on a call at `at`; with `group_by` (e.g. queue), one row per value, it first."""
    no_outcome = (
        f"(answered_ts = 0 OR answered_ts > {at})"
        f" AND (abandoned_ts = 0 OR abandoned_ts > {at})"
        f" AND (ended_ts = 0 OR ended_ts > {at})"
    )
    waiting = f"in_hours = 1 AND queued_ts > 0 AND queued_ts <= {at} AND {no_outcome}"
    in_menu = (
        f"in_hours = 1 AND offered_ts > 0 AND offered_ts <= {at}"
        f" AND (queued_ts = 0 OR queued_ts > {at}) AND {no_outcome}"
    )
    talking = f"answered_ts > 0 AND answered_ts <= {at} AND (ended_ts = 0 OR ended_ts > {at})"
    key = "" if group_by is None else f"{identifier(group_by)},\n    "
    tail = "" if group_by is None else f"\nGROUP BY {identifier(group_by)}"
    return f"""
SELECT
    {key}countIf({waiting}) AS waiting,
    maxIf({at} - queued_ts, {waiting}) AS longest_wait_seconds,
    countIf({in_menu}) AS in_menu,
    uniqExactIf(agent, {talking}) AS agents_busy
FROM ({derived}){tail}
""".strip()
