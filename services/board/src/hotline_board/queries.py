"""The board's SQL, assembled from the metric definitions in hotline_schemas.kpi.

Times are spliced in as integer Unix seconds, the database name as a checked identifier;
nothing else reaches the SQL text. Every query runs on ClickHouse 18.16 and current releases.
"""

# ruff: noqa: S608 - a SQL builder: only integers, SQL written here and identifier()-checked
# names are spliced in (see the module docstring).

from __future__ import annotations

from hotline_schemas import kpi


def data_age(database: str, at: int) -> str:
    db = kpi.identifier(database)
    # No FINAL: a duplicate has the same occurred_at, so max() is exact without it.
    return (
        f"SELECT toUInt32(max(occurred_at)) AS newest, count() AS events FROM {db}.call_events "
        f"WHERE occurred_at >= toDateTime({at - 86400}) AND occurred_at <= toDateTime({at})"
    )


def live(database: str, at: int, th: kpi.Thresholds) -> str:
    per_call = kpi.per_call_sql(database, str(at - kpi.LIVE_LOOKBACK_S), str(at))
    return kpi.live_sql(kpi.derived_sql(per_call, th), str(at))


def window(database: str, lo: int, hi: int, th: kpi.Thresholds) -> str:
    # Events from a lookback before the window, so a call answered in it knows when it queued.
    per_call = kpi.per_call_sql(database, str(lo - kpi.LIVE_LOOKBACK_S), str(hi))
    return kpi.window_counts_sql(kpi.derived_sql(per_call, th), str(lo), str(hi), th)


def _offered_in(database: str, lo: int, hi: int) -> str:
    per_call = kpi.per_call_sql(database, str(lo), str(hi))
    return f"({per_call}) WHERE in_hours = 1 AND offered_ts > {lo} AND offered_ts <= {hi}"


# Agent events this far back give every agent's state at "now": an evening's log-ins happen
# well within it, and a log-in left open is capped at local midnight anyway.
AGENT_LOOKBACK_S = 16 * 3600


def agent_events(database: str, lo: int, hi: int) -> str:
    """agent_id, type, Unix seconds (float), reason ('' if none) of the events in [lo, hi]."""
    # Deduplicated like call events (kpi.latest_events_sql: FINAL would read the whole table).
    events = kpi.latest_events_sql(
        database,
        "agent_events",
        "agent_id, toString(type), toFloat64(occurred_at) + occurred_at_ms / 1000, "
        "ifNull(reason, '')",
        kpi.occurred_between(str(lo), str(hi)),
    )
    return (
        "SELECT tupleElement(e, 1) AS agent, tupleElement(e, 2) AS kind, "
        "tupleElement(e, 3) AS ts, tupleElement(e, 4) AS why "
        f"FROM ({events}) ORDER BY agent, ts"
    )


def answered_calls(database: str, lo: int, hi: int) -> str:
    """agent, answered and ended (0 if not yet) Unix seconds of calls answered in [lo, hi]."""
    per_call = kpi.per_call_sql(database, str(lo), str(hi))
    return (
        f"SELECT agent, answered_ts, ended_ts FROM ({per_call}) "
        f"WHERE answered_ts > 0 AND agent != ''"
    )


def by_queue(database: str, lo: int, hi: int, at: int, th: kpi.Thresholds) -> tuple[str, str]:
    """The window counts of (lo, hi] and the live state at `at`, one row per queue ('' when
    the provider named none)."""
    per_call = kpi.per_call_sql(database, str(lo - kpi.LIVE_LOOKBACK_S), str(hi))
    window = kpi.window_counts_sql(kpi.derived_sql(per_call, th), str(lo), str(hi), th, "queue")
    live_calls = kpi.per_call_sql(database, str(at - kpi.LIVE_LOOKBACK_S), str(at))
    live = kpi.live_sql(kpi.derived_sql(live_calls, th), str(at), "queue")
    return window, live


def offered_per_half_hour(database: str, ranges: list[tuple[int, int]]) -> str:
    """(UTC half-hour start, calls offered within hours) within the [lo, hi) ranges."""
    where = " OR ".join(
        f"(occurred_at >= toDateTime({int(lo)}) AND occurred_at < toDateTime({int(hi)}))"
        for lo, hi in ranges
    )
    # Deduplicated like the other board reads (kpi.latest_events_sql, not FINAL).
    events = kpi.latest_events_sql(
        database,
        "call_events",
        "call_id, toString(type), within_hours, toUInt32(occurred_at)",
        where or "0",
    )
    return (
        "SELECT toUInt32(intDiv(t, 1800) * 1800) AS slot, uniqExact(call) AS calls FROM ("
        "SELECT tupleElement(e, 1) AS call, tupleElement(e, 2) AS kind, "
        f"tupleElement(e, 3) AS in_hours, tupleElement(e, 4) AS t FROM ({events})) "
        "WHERE kind = 'offered' AND in_hours = 1 "
        "GROUP BY slot ORDER BY slot"
    )


def by_municipality(database: str, lo: int, hi: int) -> str:
    return (
        "SELECT municipality_code, any(municipality_name) AS name, count() AS calls "
        f"FROM {_offered_in(database, lo, hi)} "
        "GROUP BY municipality_code ORDER BY calls DESC, municipality_code"
    )


def topics(database: str, lo: int, hi: int) -> str:
    return (
        f"SELECT topic, count() AS calls FROM {_offered_in(database, lo, hi)} "
        "GROUP BY topic ORDER BY calls DESC, topic"
    )
