"""Which table each topic goes to, and how its messages become rows.

Three routes: enriched events -> `call_events`, call records -> `call_records`, agent events
-> `agent_events`. The sink's settings name the topics carrying call records
(`record_topics`) and agent events (`agent_topics`); every other topic carries enriched
events. All routes share the sink's batching, commit-after-insert and dead letters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotline_sink import agent_rows, record_rows, rows
from hotline_sink.rows import Rejected, Row


@dataclass(frozen=True)
class Route:
    table: str
    columns: tuple[str, ...]
    decode: Callable[[bytes | None], Any]  # a model, or Rejected
    to_row: Callable[[Any], Row]
    # Event time (Unix seconds) of a decoded message for the end-to-end latency, where it
    # means one; None for a message that must not count (imported history).
    event_time: Callable[[Any], float | None] | None = None

    def statement(self, database: str) -> str:
        return rows.insert_statement(database, self.table, self.columns)

    def row(self, decoded: Any) -> Row | None:
        return None if isinstance(decoded, Rejected) else self.to_row(decoded)


EVENTS = Route(
    table=rows.TABLE,
    columns=rows.COLUMNS,
    decode=rows.decode,
    to_row=rows.to_row,
    event_time=rows.live_event_time,
)
RECORDS = Route(
    table=record_rows.TABLE,
    columns=record_rows.COLUMNS,
    decode=record_rows.decode,
    to_row=record_rows.to_row,
)
AGENTS = Route(
    table=agent_rows.TABLE,
    columns=agent_rows.COLUMNS,
    decode=agent_rows.decode,
    to_row=agent_rows.to_row,
)
