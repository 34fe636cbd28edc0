"""Erase one caller: every row of every call the caller's pseudonym appears in, from
`call_events` and `call_records`, on both dialects.

By call, not only by `caller_key`: a provider need not repeat the caller number on every event
of a call (an `ended` event may carry none), and a call's first record version may predate the
event that named the caller; those rows still belong to the caller's call. The deletions are
mutations (mutations.py), waited for, then checked: nothing of those calls may be left.

What is written down (`privacy_log`) is only what was done and the reference given, never the
pseudonym: a log entry must not keep the link erasure removes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline_schemas.privacy import redact
from hotline_sink import mutations
from hotline_sink.dialect import Dialect
from hotline_sink.migrations import Executor
from hotline_sink.retention import Action, record
from hotline_sink.templates import identifier

TABLES = ("call_events", "call_records")
CALLER_KEY = re.compile(r"^[0-9a-f]{64}$")


class ErasureError(RuntimeError):
    pass


@dataclass(frozen=True)
class Erasure:
    calls: int  # distinct calls the caller appears in
    found: dict[str, int]  # rows per table before
    left: dict[str, int]  # rows per table after (as found, on a dry run)


def check_key(caller_key: str) -> str:
    """The key if it is a pseudonym as enrich writes it (64 lowercase hex), else an error."""
    if not CALLER_KEY.match(caller_key):
        raise ErasureError("a caller key is 64 lowercase hexadecimal characters (HMAC-SHA256)")
    return caller_key


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _calls(client: Executor, database: str, key: str) -> list[str]:
    db = identifier(database)
    found: set[str] = set()
    for table in TABLES:
        rows = client.execute(
            f"SELECT DISTINCT call_id FROM {db}.{table} WHERE caller_key = '{key}'"  # noqa: S608 - identifier and key checked
        )
        found |= {str(r[0]) for r in rows}
    return sorted(found)


def _where(key: str, calls: list[str]) -> str:
    if not calls:
        return f"caller_key = '{key}'"
    return f"caller_key = '{key}' OR call_id IN ({', '.join(_quote(c) for c in calls)})"


def _counts(client: Executor, database: str, where: str) -> dict[str, int]:
    db = identifier(database)
    return {
        table: int(client.execute(f"SELECT count() FROM {db}.{table} WHERE {where}")[0][0])  # noqa: S608 - built from checked values
        for table in TABLES
    }


def erase(
    client: Executor,
    dialect: Dialect,
    database: str,
    caller_key: str,
    *,
    dry_run: bool,
    reference: str,
    done_by: str,
) -> Erasure:
    key = check_key(caller_key)
    calls = _calls(client, database, key)
    where = _where(key, calls)
    found = _counts(client, database, where)
    if dry_run:
        return Erasure(len(calls), found, found)
    for table in TABLES:
        if found[table]:
            mutations.delete_where(client, dialect, database, table, where)
    left = _counts(client, database, where)
    # A reference is a case number; a phone number typed into it by mistake is masked.
    detail = f"one caller, {len(calls)} call(s); reference: {redact(reference) or '(none given)'}"
    record(
        client,
        dialect,
        database,
        [Action(table, "erase", found[table] - left[table], detail) for table in TABLES],
        done_by,
    )
    if any(left.values()):
        raise ErasureError(f"rows of the caller's calls are still stored: {left}")
    return Erasure(len(calls), found, left)
