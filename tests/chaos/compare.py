"""The accounting: every event ingest acknowledged against what ClickHouse holds.

Read as `hotline_reader` with FINAL, as the data team reads (docs/clickhouse.md):

- lost: acknowledged, not in `call_events FINAL`;
- duplicated: more than one row for an event_id in `call_events FINAL` (or for a call_id in
  `call_records FINAL`);
- records missing: a call whose `ended` event was acknowledged has no row in
  `call_records FINAL`;
- records incomplete: the stored record was built from fewer events than were acknowledged
  for its call (a re-emitted, more complete version went missing).

Rows stored but never acknowledged (a batch answered 503 whose events Kafka took after all)
are neither lost nor duplicated; they are counted and shown as a note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaos.load import LoadResult
from hotline_schemas import CallEvent, EventType

DATABASE = "hotline"


@dataclass
class Comparison:
    accepted: int
    stored: int
    raw_rows: int  # rows without FINAL: re-inserts that FINAL collapses
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unacknowledged_stored: int = 0
    records_expected: int = 0
    records_missing: list[str] = field(default_factory=list)
    records_duplicated: list[str] = field(default_factory=list)
    records_incomplete: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        for label, ids in (
            ("lost", self.lost),
            ("duplicated in call_events FINAL", self.duplicated),
            ("call records missing", self.records_missing),
            ("duplicated in call_records FINAL", self.records_duplicated),
            ("call records built from fewer events than acknowledged", self.records_incomplete),
        ):
            if ids:
                found.append(f"{len(ids)} {label}, e.g. {sorted(ids)[:5]}")
        return found


def _by_prefix(column: str, prefix: str) -> str:
    # substring(), not LIKE ('_' is a wildcard) nor startsWith (not in 18.16).
    return f"substring({column}, 1, {len(prefix)}) = %(prefix)s"


def compare(client: Any, prefix: str, load: LoadResult) -> Comparison:
    """Compare what `load` got acknowledged (ids starting with `prefix`) with ClickHouse."""
    params = {"prefix": prefix}
    where = _by_prefix("event_id", prefix)
    events = client.execute(
        f"SELECT event_id, count() FROM {DATABASE}.call_events FINAL WHERE {where} "
        "GROUP BY event_id",
        params,
    )
    ((raw_rows,),) = client.execute(
        f"SELECT count() FROM {DATABASE}.call_events WHERE {where}", params
    )
    records = client.execute(
        f"SELECT call_id, count(), max(event_count) FROM {DATABASE}.call_records FINAL "
        f"WHERE {_by_prefix('call_id', prefix)} GROUP BY call_id",
        params,
    )
    return account(
        {i: e for i, e in load.acked.items() if i.startswith(prefix)},
        {str(i): int(n) for i, n in events},
        int(raw_rows),
        {str(c): (int(n), int(k)) for c, n, k in records},
    )


def account(
    acked: Mapping[str, CallEvent],
    stored: Mapping[str, int],
    raw_rows: int,
    records: Mapping[str, tuple[int, int]],
) -> Comparison:
    """Pure: acknowledged events against stored ones.

    `stored`: event_id -> rows in `call_events FINAL`; `records`: call_id -> (rows in
    `call_records FINAL`, event_count of the stored record)."""
    out = Comparison(accepted=len(acked), stored=len(stored), raw_rows=raw_rows)
    out.lost = sorted(acked.keys() - stored.keys())
    out.duplicated = sorted(i for i, n in stored.items() if n > 1)
    out.unacknowledged_stored = len(stored.keys() - acked.keys())
    ended = {e.call_id for e in acked.values() if e.type is EventType.ENDED}
    per_call = Counter(e.call_id for e in acked.values())
    out.records_expected = len(ended)
    out.records_missing = sorted(ended - records.keys())
    out.records_duplicated = sorted(c for c, (n, _) in records.items() if n > 1)
    out.records_incomplete = sorted(
        c for c in ended & records.keys() if records[c][1] < per_call[c]
    )
    return out
