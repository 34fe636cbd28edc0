"""Delete rows on every dialect: `ALTER TABLE ... DELETE WHERE` (a mutation; 18.16 has it, and
no lightweight DELETE), then wait until the server has rewritten every part.

Mutations run in the background and 18.16 has no `mutations_sync`, so completion is read from
`system.mutations`. Callers build `where` from validated values only (see retention.py and
erasure.py); nothing here quotes anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hotline_sink.dialect import Dialect
from hotline_sink.migrations import Executor
from hotline_sink.templates import identifier


class MutationError(RuntimeError):
    """A delete did not finish: it failed on the server or took longer than allowed."""


def delete_where(
    client: Executor,
    dialect: Dialect,
    database: str,
    table: str,
    where: str,
    *,
    timeout_s: float = 600.0,
    poll_s: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    db, name = identifier(database), identifier(table)
    client.execute(
        f"ALTER TABLE {db}.{name} DELETE WHERE {where}", settings=dialect.session_settings()
    )
    wait(client, db, name, timeout_s=timeout_s, poll_s=poll_s, clock=clock, sleep=sleep)


def wait(
    client: Executor,
    database: str,
    table: str,
    *,
    timeout_s: float,
    poll_s: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Until no mutation of `database.table` is left to do."""
    where = f"database = '{identifier(database)}' AND table = '{identifier(table)}' AND is_done = 0"
    reasons = _has_fail_reason(client)
    deadline = clock() + timeout_s
    while True:
        if reasons:
            rows = client.execute(
                f"SELECT count(), max(latest_fail_reason) FROM system.mutations WHERE {where}"  # noqa: S608 - identifiers checked
            )
        else:
            rows = client.execute(f"SELECT count(), '' FROM system.mutations WHERE {where}")  # noqa: S608 - identifiers checked
        ((pending, failure),) = rows
        if int(pending) == 0:
            return
        if failure:
            raise MutationError(f"deleting from {database}.{table} failed: {failure}")
        if clock() >= deadline:
            raise MutationError(
                f"deleting from {database}.{table} still running after {timeout_s:g} s; "
                "it goes on in the background: check system.mutations, then run this again"
            )
        sleep(poll_s)


def _has_fail_reason(client: Executor) -> bool:
    # 18.16's system.mutations has no failure column; later releases do.
    rows = client.execute(
        "SELECT count() FROM system.columns "
        "WHERE database = 'system' AND table = 'mutations' AND name = 'latest_fail_reason'"
    )
    return bool(rows[0][0])
