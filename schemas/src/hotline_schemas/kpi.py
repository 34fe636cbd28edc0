"""Operational metric definitions, written once: pure Python and the matching ClickHouse SQL.

The definitions (and the variants other contact-centre systems use) are explained in
`docs/metrics.md`, section "Operational definitions". In short, for calls offered within
opening hours:

- wait = from `queued` (or `offered` when the call was never queued) to `answered`/`abandoned`;
- a short abandon is an abandon after less than `short_abandon_s` (default 5 s) of waiting: a
  misdial or an instant hang-up; it counts in neither the service level nor the abandonment rate;
- service level = answered within `service_level_s` (default 20 s) / (answered + abandoned);
- abandonment rate = abandoned / (answered + abandoned);
- average speed of answer = mean wait of answered calls;
- average handle time = mean talk time (answered to ended) of calls that ended; the provider
  sends no after-call-work events, so handle time is talk time only.

A window counts a call where its outcome happened: answered calls by their answer time,
abandoned calls by their abandon time, talk by the end time, offered calls by their offered time.

The SQL below runs unchanged on ClickHouse 18.16 and current ClickHouse: no CTEs over
subqueries, no `toStartOfInterval`, no `DateTime64`. Only integers and identifiers validated by
`identifier()` are spliced into it.
"""

# ruff: noqa: S608 - a SQL builder: only integers, SQL written here and identifier()-checked
# names are spliced in (see the module docstring).

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# Defaults of the business rules (`hotline_schemas.rules`, HOTLINE_RULES__*).
SERVICE_LEVEL_S = 20.0
SERVICE_LEVEL_TARGET = 0.8
SHORT_ABANDON_S = 5.0
REPEAT_CALLER_DAYS = 7
# Calls with no outcome for longer than this are taken as lost events, not as waiting callers.
LIVE_LOOKBACK_S = 2 * 3600

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
    """The lifecycle times of one call (any may be missing) and whether it came in hours."""

    offered: datetime | None
    queued: datetime | None = None
    answered: datetime | None = None
    abandoned: datetime | None = None
    ended: datetime | None = None
    within_hours: bool = True
    agent_id: str | None = None

    @property
    def wait_start(self) -> datetime | None:
        return self.queued or self.offered

    @property
    def outcome_at(self) -> datetime | None:
        return self.answered or self.abandoned

    def wait_seconds(self) -> float | None:
        """Seconds waited until answered or abandoned; None while still waiting."""
        start, end = self.wait_start, self.outcome_at
        if start is None or end is None:
            return None
        return (end - start).total_seconds()

    def talk_seconds(self) -> float | None:
        if self.answered is None or self.ended is None:
            return None
        return (self.ended - self.answered).total_seconds()


@dataclass(frozen=True)
class Counts:
    """What a window holds; every ratio below is a function of these numbers alone."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0  # short abandons excluded
    short_abandoned: int = 0
    wait_answered_sum_s: float = 0.0
    talk_sum_s: float = 0.0
    talked: int = 0


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def service_level(c: Counts) -> float | None:
    """Answered within the threshold over answered plus (long) abandoned; None if no calls."""
    return _ratio(c.answered_within, c.answered + c.abandoned)


def abandonment_rate(c: Counts) -> float | None:
    return _ratio(c.abandoned, c.answered + c.abandoned)


def average_speed_of_answer(c: Counts) -> float | None:
    return _ratio(c.wait_answered_sum_s, c.answered)


def average_handle_time(c: Counts) -> float | None:
    return _ratio(c.talk_sum_s, c.talked)


def per_1000(calls: int, population: int | None) -> float | None:
    """Calls per 1,000 citizens; None when the population is unknown."""
    if not population:
        return None
    return calls * 1000 / population


def _inside(t: datetime | None, start: datetime, end: datetime) -> bool:
    return t is not None and start < t <= end


def count_window(
    calls: Iterable[CallTimes], start: datetime, end: datetime, th: Thresholds = Thresholds()
) -> Counts:
    """The reference implementation: counts of the in-hours calls in the window (start, end]."""
    offered = answered = within = abandoned = short = talked = 0
    wait_sum = talk_sum = 0.0
    for call in calls:
        if not call.within_hours:
            continue
        wait = call.wait_seconds()
        offered += _inside(call.offered, start, end)
        if call.answered is not None and _inside(call.answered, start, end) and wait is not None:
            answered += 1
            within += wait <= th.service_level_s
            wait_sum += wait
        elif call.answered is None and _inside(call.abandoned, start, end) and wait is not None:
            if wait < th.short_abandon_s:
                short += 1
            else:
                abandoned += 1
        talk = call.talk_seconds()
        if talk is not None and _inside(call.ended, start, end):
            talked += 1
            talk_sum += talk
    return Counts(offered, answered, within, abandoned, short, wait_sum, talk_sum, talked)


def is_waiting(call: CallTimes, at: datetime) -> bool:
    """In the queue (or IVR) at `at`: offered in hours, no answer, abandon or end yet."""
    start = call.wait_start
    if not call.within_hours or start is None or start > at:
        return False
    return not any(t is not None and t <= at for t in (call.answered, call.abandoned, call.ended))


def waiting_seconds(call: CallTimes, at: datetime) -> float | None:
    start = call.wait_start
    if start is None or not is_waiting(call, at):
        return None
    return (at - start).total_seconds()


def is_talking(call: CallTimes, at: datetime) -> bool:
    """An agent is busy with the call at `at`: answered, not ended yet."""
    return (
        call.answered is not None
        and call.answered <= at
        and (call.ended is None or call.ended > at)
    )


def agents_busy(calls: Iterable[CallTimes], at: datetime) -> int:
    return len({c.agent_id or "" for c in calls if is_talking(c, at)})


# ---- SQL ----------------------------------------------------------------------------------


def identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def per_call_sql(database: str, since: str, until: str) -> str:
    """One row per call from `call_events` (deduplicated), its events between two SQL
    expressions of Unix seconds. A missing time is 0. Columns: call_id, offered_ts, queued_ts,
    answered_ts, abandoned_ts, ended_ts (Float64 Unix seconds), in_hours, topic,
    municipality_code (0 = unknown), municipality_name, agent, last_ts."""
    db = identifier(database)
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
    max(ts) AS last_ts
FROM
(
    SELECT
        call_id, toString(type) AS type, within_hours, toString(topic) AS topic,
        toFloat64(occurred_at) + occurred_at_ms / 1000 AS ts,
        toUInt16(ifNull(municipality_code, 0)) AS mcode,
        ifNull(municipality_name, '') AS mname,
        ifNull(agent_id, '') AS agent_raw
    FROM {db}.call_events FINAL
    WHERE occurred_at >= toDateTime({since}) AND occurred_at <= toDateTime({until})
)
GROUP BY call_id
""".strip()


def derived_sql(per_call: str, th: Thresholds = Thresholds()) -> str:
    """Adds the definitions per call: wait_start_ts, outcome_ts, wait_seconds, talk_seconds,
    is_answered, is_abandoned (long), is_short_abandon."""
    return f"""
SELECT
    *,
    if(queued_ts > 0, queued_ts, offered_ts) AS wait_start_ts,
    if(answered_ts > 0, answered_ts, abandoned_ts) AS outcome_ts,
    if(outcome_ts > 0 AND wait_start_ts > 0, outcome_ts - wait_start_ts, 0) AS wait_seconds,
    if(answered_ts > 0 AND ended_ts > 0, ended_ts - answered_ts, 0) AS talk_seconds,
    in_hours = 1 AND answered_ts > 0 AND wait_start_ts > 0 AS is_answered,
    in_hours = 1 AND answered_ts = 0 AND abandoned_ts > 0 AND wait_start_ts > 0
        AND wait_seconds >= {th.short_abandon_s:g} AS is_abandoned,
    in_hours = 1 AND answered_ts = 0 AND abandoned_ts > 0 AND wait_start_ts > 0
        AND wait_seconds < {th.short_abandon_s:g} AS is_short_abandon
FROM ({per_call})
""".strip()


def _between(column: str, lo: str, hi: str) -> str:
    return f"{column} > {lo} AND {column} <= {hi}"


def window_counts_sql(derived: str, lo: str, hi: str, th: Thresholds = Thresholds()) -> str:
    """The Counts of the window (lo, hi] (SQL expressions of Unix seconds), in Counts' field
    order, then service_level, abandonment_rate, average_speed_of_answer, average_handle_time."""
    return f"""
SELECT
    countIf(in_hours = 1 AND {_between("offered_ts", lo, hi)}) AS offered,
    countIf(is_answered AND {_between("answered_ts", lo, hi)}) AS answered,
    countIf(is_answered AND {_between("answered_ts", lo, hi)}
        AND wait_seconds <= {th.service_level_s:g}) AS answered_within,
    countIf(is_abandoned AND {_between("abandoned_ts", lo, hi)}) AS abandoned,
    countIf(is_short_abandon AND {_between("abandoned_ts", lo, hi)}) AS short_abandoned,
    sumIf(wait_seconds, is_answered AND {_between("answered_ts", lo, hi)}) AS wait_answered_sum_s,
    sumIf(talk_seconds, in_hours = 1 AND answered_ts > 0 AND {_between("ended_ts", lo, hi)})
        AS talk_sum_s,
    countIf(in_hours = 1 AND answered_ts > 0 AND {_between("ended_ts", lo, hi)}) AS talked,
    {SERVICE_LEVEL_SQL} AS service_level,
    {ABANDONMENT_RATE_SQL} AS abandonment_rate,
    {AVERAGE_SPEED_OF_ANSWER_SQL} AS average_speed_of_answer,
    {AVERAGE_HANDLE_TIME_SQL} AS average_handle_time
FROM ({derived})
""".strip()


# The ratios over Counts' column names: the same formulas as the Python functions above.
SERVICE_LEVEL_SQL = "answered_within / nullIf(answered + abandoned, 0)"
ABANDONMENT_RATE_SQL = "abandoned / nullIf(answered + abandoned, 0)"
AVERAGE_SPEED_OF_ANSWER_SQL = "wait_answered_sum_s / nullIf(answered, 0)"
AVERAGE_HANDLE_TIME_SQL = "talk_sum_s / nullIf(talked, 0)"


def live_sql(derived: str, at: str) -> str:
    """Calls waiting, the longest wait (seconds, 0 if none) and agents busy at `at`."""
    waiting = (
        f"in_hours = 1 AND wait_start_ts > 0 AND wait_start_ts <= {at}"
        f" AND (answered_ts = 0 OR answered_ts > {at})"
        f" AND (abandoned_ts = 0 OR abandoned_ts > {at})"
        f" AND (ended_ts = 0 OR ended_ts > {at})"
    )
    talking = f"answered_ts > 0 AND answered_ts <= {at} AND (ended_ts = 0 OR ended_ts > {at})"
    return f"""
SELECT
    countIf({waiting}) AS waiting,
    maxIf({at} - wait_start_ts, {waiting}) AS longest_wait_seconds,
    uniqExactIf(agent, {talking}) AS agents_busy
FROM ({derived})
""".strip()
