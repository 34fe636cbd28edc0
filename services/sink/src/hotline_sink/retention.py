"""Table retention: rows of `call_events`, `call_records` and `agent_events` are kept a
configured number of days counted from `inserted_at` (when the sink stored them), then deleted.

Why `inserted_at` and not the call's time: the pilot's history (2012-2013) is imported years
later; counted from `occurred_at` it would expire on arrival. Counted from arrival, imported
history is kept as long after its import as live calls are after they happened.

Where the server has TTL (current ClickHouse) `apply` sets each table's TTL to the configured
days and the server deletes expired rows in its merges. Where it has none (18.16) `apply`
purges: one `ALTER TABLE ... DELETE` per table, only when something has expired. `purge` does
that on any server (TTL deletes lazily, at merges; a purge deletes now). Every change is
recorded in `privacy_log` (migration 0007).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hotline_schemas.config import Retention
from hotline_sink import mutations
from hotline_sink.dialect import Dialect
from hotline_sink.migrations import Executor
from hotline_sink.templates import identifier

TIME_COLUMN = "inserted_at"
_TTL_DAYS = re.compile(
    r"\bTTL\s+inserted_at\s*\+\s*(?:toIntervalDay\((\d+)\)|INTERVAL\s+(\d+)\s+DAY)", re.I
)


@dataclass(frozen=True)
class Policy:
    table: str
    days: int

    @property
    def ttl(self) -> str:
        return f"{TIME_COLUMN} + INTERVAL {self.days} DAY"

    def cutoff(self, now: datetime) -> datetime:
        """Rows stored before this have expired."""
        return (now.astimezone(UTC) - timedelta(days=self.days)).replace(microsecond=0)


def policies(retention: Retention) -> tuple[Policy, ...]:
    return (
        Policy("call_events", retention.events_days),
        Policy("call_records", retention.records_days),
        Policy("agent_events", retention.agents_days),
    )


@dataclass(frozen=True)
class TableState:
    policy: Policy
    rows: int
    expired: int  # stored before the cut-off: deleted by the next purge (or TTL merge)
    oldest: datetime | None  # the earliest inserted_at still stored
    ttl_days: int | None  # the table's TTL in days from inserted_at; None: no TTL


@dataclass(frozen=True)
class Action:
    table: str
    action: str  # "ttl" or "purge"
    rows: int
    detail: str


def parse_ttl_days(engine_full: str) -> int | None:
    """The days of a `TTL inserted_at + ...` clause in `system.tables.engine_full`."""
    match = _TTL_DAYS.search(engine_full)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _literal(moment: datetime) -> str:
    return f"toDateTime('{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}', 'UTC')"


def inspect(
    client: Executor, dialect: Dialect, database: str, policy: Policy, now: datetime
) -> TableState:
    db, table = identifier(database), identifier(policy.table)
    ((rows, expired, oldest),) = client.execute(
        f"SELECT count(), countIf({TIME_COLUMN} < {_literal(policy.cutoff(now))}), "  # noqa: S608 - identifiers checked
        f"toUInt32(min({TIME_COLUMN})) FROM {db}.{table}",
        settings=dialect.session_settings(),
    )
    ttl_days = None
    if dialect.supports_ttl:
        ((engine,),) = client.execute(
            f"SELECT engine_full FROM system.tables WHERE database = '{db}' AND name = '{table}'"  # noqa: S608 - identifiers checked
        )
        ttl_days = parse_ttl_days(str(engine))
    return TableState(
        policy=policy,
        rows=int(rows),
        expired=int(expired),
        oldest=datetime.fromtimestamp(int(oldest), UTC) if int(rows) else None,
        ttl_days=ttl_days,
    )


def apply(
    client: Executor,
    dialect: Dialect,
    database: str,
    retention: Retention,
    now: datetime,
    done_by: str,
) -> list[Action]:
    """Enforce the configured retention: the TTL where the server has one, else a purge."""
    if not dialect.supports_ttl:
        return purge(client, dialect, database, retention, now, done_by, dry_run=False)
    db = identifier(database)
    actions = []
    for policy in policies(retention):
        state = inspect(client, dialect, database, policy, now)
        if state.ttl_days == policy.days:
            continue
        client.execute(dialect.modify_ttl(f"{db}.{identifier(policy.table)}", policy.ttl))
        was = f"{state.ttl_days} days" if state.ttl_days is not None else "none"
        actions.append(
            Action(
                policy.table, "ttl", 0, f"keep {policy.days} days from {TIME_COLUMN} (was {was})"
            )
        )
    record(client, dialect, database, actions, done_by)
    return actions


def purge(
    client: Executor,
    dialect: Dialect,
    database: str,
    retention: Retention,
    now: datetime,
    done_by: str,
    *,
    dry_run: bool,
) -> list[Action]:
    """Delete every row stored longer ago than its table's retention (or, with `dry_run`,
    only say how many there are)."""
    actions = []
    for policy in policies(retention):
        state = inspect(client, dialect, database, policy, now)
        cutoff = policy.cutoff(now)
        detail = f"keep {policy.days} days: stored before {cutoff:%Y-%m-%d %H:%M:%S} UTC"
        if state.expired and not dry_run:
            where = f"{TIME_COLUMN} < {_literal(cutoff)}"
            mutations.delete_where(client, dialect, database, policy.table, where)
        actions.append(Action(policy.table, "purge", state.expired, detail))
    if not dry_run:
        record(client, dialect, database, [a for a in actions if a.rows], done_by)
    return actions


def record(
    client: Executor, dialect: Dialect, database: str, actions: list[Action], done_by: str
) -> None:
    """Write what was done to `privacy_log`."""
    if not actions:
        return
    client.execute(
        f"INSERT INTO {identifier(database)}.privacy_log "
        "(action, table_name, rows, detail, done_by) VALUES",
        [(a.action, a.table, a.rows, a.detail, done_by) for a in actions],
        settings=dialect.session_settings(),
    )
