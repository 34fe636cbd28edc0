"""CSV call-detail exports (one row per call) -> CallEventV2, as the mapping file says (pure).

The first record of the file is the header; the mapping (`cdr_mapping.Mapping`) names the
columns. Field by field:

- `call_id` column -> `call_id` (`cdr-<mapping name>:<value>`), required;
- `offered_at` -> `offered` (required); `queued_at` -> `queued`; `answered_at` ->
  `answered`; `ended_at` -> `ended`; local times in the mapping's zone become exact UTC
  instants (a time that does not exist or happens twice at a daylight-saving change is
  rejected unless the mapping says which to take);
- a call without an answer time: `abandoned` at `abandoned_at`, else at `ended_at`, unless
  the outcome is `closed` (the closed message played: only `ended`);
- `outcome` column, through the mapping's `[outcomes]` table: `answered`, or the end_reason
  of an unanswered call (caller_hangup, queue_timeout, queue_key, queue_empty, closed, ...);
  a value the table does not name rejects the row;
- `caller_number`, `line` (E.164 or Danish national format), `caller_postcode`,
  `ivr_choice`, `agent_id` (on `answered` and `ended`), `queue`, `wrap_up_code` (on `ended`).

Every event of a row carries the row's caller, postcode, menu choice and queue.
"""

from __future__ import annotations

import csv
from datetime import datetime
from typing import Any

from hotline_providers import ids
from hotline_providers.cdr_mapping import LocalTimeError, Mapping, parse_local
from hotline_providers.model import Converted, Event, RecordError, build, guarded
from hotline_providers.numbers import e164
from hotline_schemas import CallEventV2, EndReason, EventType, Origin

SOURCE = "cdr-csv"


class CdrCsvAdapter:
    """The header is the adapter's state: a resumed import restores it."""

    source = SOURCE

    def __init__(self, mapping: Mapping, origin: Origin = Origin.IMPORT) -> None:
        self.mapping = mapping
        self.origin = origin
        self.header: list[str] | None = None
        self._index: dict[str, int] = {}

    def state(self) -> dict[str, Any]:
        return {"header": self.header}

    def restore(self, state: dict[str, Any]) -> None:
        header = state.get("header")
        if header is not None:
            self._set_header(list(header))

    def convert(self, line: int, raw: str) -> Converted:
        return guarded(line, raw, lambda: self._convert(line, raw))

    def _split(self, raw: str) -> list[str]:
        try:
            rows = list(
                csv.reader(
                    [raw],
                    delimiter=self.mapping.delimiter,
                    quotechar=self.mapping.quotechar,
                    strict=True,
                )
            )
        except csv.Error as exc:
            raise RecordError(f"not a CSV row: {exc}") from exc
        return rows[0] if rows else []

    def _set_header(self, header: list[str]) -> None:
        wanted = {k: v for k, v in self.mapping.columns.model_dump().items() if v is not None}
        names = [h.strip() for h in header]
        missing = sorted(v for v in wanted.values() if v not in names)
        if missing:
            raise RecordError(f"header lacks the mapping's columns {missing}")
        self.header = names
        self._index = {field: names.index(column) for field, column in wanted.items()}

    def _convert(self, line: int, raw: str) -> Converted:
        cells = self._split(raw)
        if self.header is None:
            self._set_header(cells)
            return Converted(line, raw, skipped="header")
        if len(cells) != len(self.header):
            raise RecordError(f"expected {len(self.header)} columns, got {len(cells)}")
        return Converted(line, raw, events=tuple(self._events(cells)))

    def _value(self, cells: list[str], field: str) -> str | None:
        i = self._index.get(field)
        if i is None:
            return None
        value = cells[i].strip()
        return value or None

    def _time(self, cells: list[str], field: str) -> datetime | None:
        value = self._value(cells, field)
        if value is None:
            return None
        try:
            return parse_local(value, self.mapping)
        except LocalTimeError as exc:
            column = getattr(self.mapping.columns, field)
            raise RecordError(
                f"{column}: {exc}", [{"field": column, "error": str(exc), "type": "time"}]
            ) from exc

    def _events(self, cells: list[str]) -> list[Event]:
        mapping = self.mapping
        provider_id = self._value(cells, "call_id")
        if provider_id is None:
            raise RecordError(f"{mapping.columns.call_id}: empty call id")
        offered = self._time(cells, "offered_at")
        if offered is None:
            raise RecordError(f"{mapping.columns.offered_at}: empty start time")
        queued = self._time(cells, "queued_at")
        answered = self._time(cells, "answered_at")
        abandoned = self._time(cells, "abandoned_at")
        ended = self._time(cells, "ended_at")
        outcome = self._outcome(cells)
        if outcome == "answered" and answered is None:
            raise RecordError("outcome says answered, but the answer time is empty")
        reason = None if outcome == "answered" else outcome
        source = f"{SOURCE}-{mapping.name}"
        common: dict[str, Any] = {
            "schema_version": 2,
            "call_id": ids.call_id(f"cdr-{mapping.name}", provider_id),
            "line": e164(self._value(cells, "line"), mapping.country_code) or mapping.line,
            "caller_number": e164(self._value(cells, "caller_number"), mapping.country_code),
            "caller_postcode": self._value(cells, "caller_postcode"),
            "ivr_choice": self._value(cells, "ivr_choice"),
            "queue": self._value(cells, "queue"),
            "origin": self.origin,
            "source": SOURCE,
        }
        agent = self._value(cells, "agent_id")

        def event(kind: EventType, at: datetime, **extra: Any) -> CallEventV2:
            event_id = ids.event_id(source, provider_id, kind.value)
            return build(
                CallEventV2, event_id=event_id, type=kind, occurred_at=at, **common, **extra
            )

        events: list[Event] = [event(EventType.OFFERED, offered)]
        if queued is not None:
            events.append(event(EventType.QUEUED, queued))
        if answered is not None:
            events.append(event(EventType.ANSWERED, answered, agent_id=agent))
        elif reason is not EndReason.CLOSED and (abandoned or ended) is not None:
            gone = abandoned or ended
            assert gone is not None
            events.append(event(EventType.ABANDONED, gone, end_reason=reason))
        if ended is not None:
            events.append(
                event(
                    EventType.ENDED,
                    ended,
                    end_reason=reason,
                    agent_id=agent if answered is not None else None,
                    wrap_up_code=self._value(cells, "wrap_up_code"),
                )
            )
        return events

    def _outcome(self, cells: list[str]) -> str | EndReason | None:
        value = self._value(cells, "outcome")
        if value is None:
            return None
        outcome = self.mapping.outcomes.get(value)
        if outcome is None:
            column = self.mapping.columns.outcome
            raise RecordError(f"{column}: {value[:40]!r} is not in the mapping's [outcomes]")
        return outcome
