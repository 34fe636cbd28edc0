"""Amazon Connect agent event stream (JSON, one event per line) -> AgentEvent.

Connect publishes one JSON object per agent event to a Kinesis data stream (Firehose to S3
for files; configure it to add a newline after each record). Each event carries the agent's
whole state after it (`CurrentAgentSnapshot`) and, for STATE_CHANGE, before it
(`PreviousAgentSnapshot`), so every record is converted on its own, by comparing the two.
Kinesis delivers at least once: ids come from the record's `EventId` (and, for a contact, its
`ContactId`), so a redelivered record gives the same events.

An agent is on shift while logged in with a status that is not Offline (Connect's "staffed"):

- `LOGIN` -> `logged_in` at `EventTimestamp` (and `paused` if the status is a custom one);
  a login with the status Offline starts nothing (skipped): the agent goes on shift when
  leaving Offline;
- `LOGOUT` -> `logged_out` at `EventTimestamp`;
- `STATE_CHANGE`, the agent status (`AgentStatus.Name`, `.Type`) changed, at the new status's
  `StartTimestamp`: from Offline -> `logged_in` (+ `paused` for a custom status); to Offline
  -> `logged_out`; to a custom (not routable) status -> `paused` with the status name as
  reason; from a custom status to a routable one (Available) -> `unpaused`;
- `STATE_CHANGE`, a voice call's contact (`Contacts[]`) changed: `ENDED` (after-contact work
  began) -> `wrap_up_started` at its `StateStartTimestamp`; an `ENDED` contact gone from the
  current snapshot (ACW done) -> `wrap_up_ended` at `EventTimestamp`; `MISSED` ->
  `ring_no_answer`. The call id is `connect:<InitialContactId or ContactId>`, the contact
  records' call; ringing, talking and hold are not agent events (the call itself comes from
  the contact records);
- `HEART_BEAT` (every 120 s without other events) -> skipped.

`agent_id` is `Configuration.Username`, as `Agent.Username` in the contact records, so calls
and agents join. Wrap-up events get the contact records' event ids
(`connect-ctr:<ContactId>:wrap_up_started`): importing both streams gives each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationError

from hotline_providers import connect_ctr, ids
from hotline_providers.connect_json import IsoTime, Lenient
from hotline_providers.model import Converted, Event, RecordError, build, guarded
from hotline_schemas import AgentEvent, AgentEventType, Origin
from hotline_schemas.validation import error_items
from hotline_schemas.validation import reason as validation_reason

SOURCE = "connect-agent-events"
HEART_BEAT_SKIPPED = "HEART_BEAT: no change"
LOGIN_OFFLINE_SKIPPED = "LOGIN with the status Offline: on shift from the next status"
NOTHING_SKIPPED = "STATE_CHANGE without a status change, missed ring or after-contact work"

# Contacts that are (part of) a hotline call, as the contact records count them; a transfer's
# contact continues the inbound call (InitialContactId). Outbound calls, callbacks, chats and
# tasks are not hotline calls.
_CALL_INITIATIONS = frozenset({"INBOUND", "TRANSFER", "QUEUE_TRANSFER"})
_REASON_MAX = 64  # the contract's ShortText


class StatusKind(StrEnum):
    """Connect's agent status types (`AgentStatus.Type`)."""

    ROUTABLE = "ROUTABLE"
    CUSTOM = "CUSTOM"
    OFFLINE = "OFFLINE"


class _Status(Lenient):
    Name: str | None = None
    Type: str | None = None
    StartTimestamp: IsoTime | None = None


class _Configuration(Lenient):
    Username: str | None = None


class _QueueRef(Lenient):
    Name: str | None = None


class _Contact(Lenient):
    ContactId: str = Field(min_length=1)
    InitialContactId: str | None = None
    Channel: str | None = None
    InitiationMethod: str | None = None
    State: str | None = None
    StateStartTimestamp: IsoTime | None = None
    Queue: _QueueRef | None = None


class _Snapshot(Lenient):
    AgentStatus: _Status | None = None
    Configuration: _Configuration | None = None
    Contacts: list[_Contact] | None = None


class AgentEventRecord(Lenient):
    EventId: str = Field(min_length=1)
    EventType: str
    EventTimestamp: IsoTime
    CurrentAgentSnapshot: _Snapshot | None = None
    PreviousAgentSnapshot: _Snapshot | None = None


@dataclass(frozen=True)
class AgentEventOptions:
    call_id_prefix: str = "connect"
    # When a record has no AgentStatus.Type, the status names say what it is (an instance may
    # rename Connect's two built-in statuses); any other name is a custom status.
    available_statuses: frozenset[str] = frozenset({"available"})  # casefolded
    offline_statuses: frozenset[str] = frozenset({"offline"})


def parse_record(raw: str) -> AgentEventRecord:
    try:
        return AgentEventRecord.model_validate_json(raw)
    except ValidationError as exc:
        reason = validation_reason(exc)
        raise RecordError(f"not an agent event record: {reason}", error_items(exc)) from exc


@dataclass(frozen=True)
class _State:
    kind: StatusKind
    name: str
    since: datetime | None


class ConnectAgentEventsAdapter:
    """Stateless: each line is one agent event with the snapshots it needs."""

    source = SOURCE

    def __init__(self, options: AgentEventOptions | None = None, origin: Origin = Origin.IMPORT):
        self.options = options or AgentEventOptions()
        self.origin = origin

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        return None

    def convert(self, line: int, raw: str) -> Converted:
        return guarded(line, raw, lambda: self._convert(line, raw))

    def _convert(self, line: int, raw: str) -> Converted:
        record = parse_record(raw)
        kind = record.EventType
        if kind == "HEART_BEAT":
            return Converted(line, raw, skipped=HEART_BEAT_SKIPPED)
        if kind not in {"LOGIN", "LOGOUT", "STATE_CHANGE"}:
            raise RecordError(f"unknown EventType: {kind!r}")
        current = _snapshot(record.CurrentAgentSnapshot, "CurrentAgentSnapshot")
        agent = (current.Configuration or _Configuration()).Username
        if not agent:
            raise RecordError("no agent: CurrentAgentSnapshot.Configuration.Username is empty")
        emit = _Emitter(self, record, agent)
        if kind == "LOGOUT":
            return Converted(line, raw, events=(emit.status(AgentEventType.LOGGED_OUT),))
        now = self._status(current, "CurrentAgentSnapshot")
        if kind == "LOGIN":
            if now.kind is StatusKind.OFFLINE:
                return Converted(line, raw, skipped=LOGIN_OFFLINE_SKIPPED)
            return Converted(line, raw, events=tuple(emit.shift_start(now, record.EventTimestamp)))
        previous = _snapshot(record.PreviousAgentSnapshot, "PreviousAgentSnapshot")
        before = self._status(previous, "PreviousAgentSnapshot")
        events = [*emit.status_change(before, now), *self._contacts(emit, previous, current)]
        if not events:
            return Converted(line, raw, skipped=NOTHING_SKIPPED)
        return Converted(line, raw, events=tuple(sorted(events, key=_at)))

    def _status(self, snapshot: _Snapshot, where: str) -> _State:
        status = snapshot.AgentStatus
        if status is None or not status.Name:
            raise RecordError(f"no agent status: {where}.AgentStatus.Name is missing")
        return _State(self._kind(status), status.Name, status.StartTimestamp)

    def _kind(self, status: _Status) -> StatusKind:
        declared = (status.Type or "").upper()
        if declared in StatusKind.__members__:
            return StatusKind(declared)
        name = (status.Name or "").casefold()
        if name in self.options.available_statuses:
            return StatusKind.ROUTABLE
        if name in self.options.offline_statuses:
            return StatusKind.OFFLINE
        return StatusKind.CUSTOM

    def _contacts(self, emit: _Emitter, previous: _Snapshot, current: _Snapshot) -> list[Event]:
        before = {c.ContactId: c for c in previous.Contacts or () if _is_call(c)}
        now = {c.ContactId: c for c in current.Contacts or () if _is_call(c)}
        events: list[Event] = []
        for contact_id, contact in now.items():
            was = before[contact_id].State if contact_id in before else None
            if contact.State == "ENDED" and was != "ENDED":
                events.append(emit.contact(AgentEventType.WRAP_UP_STARTED, contact))
            elif contact.State == "MISSED" and was != "MISSED":
                events.append(emit.contact(AgentEventType.RING_NO_ANSWER, contact))
        for contact_id, contact in before.items():
            if contact.State == "ENDED" and contact_id not in now:
                events.append(emit.contact(AgentEventType.WRAP_UP_ENDED, contact, at_event=True))
        return events


def _snapshot(snapshot: _Snapshot | None, where: str) -> _Snapshot:
    if snapshot is None:
        raise RecordError(f"no {where}")
    return snapshot


def _is_call(contact: _Contact) -> bool:
    channel = (contact.Channel or "VOICE").upper()
    initiation = (contact.InitiationMethod or "INBOUND").upper()
    return channel == "VOICE" and initiation in _CALL_INITIATIONS


def _at(event: Event) -> datetime:
    return event.occurred_at


class _Emitter:
    """The AgentEvents of one record: its agent, origin and ids."""

    def __init__(
        self, adapter: ConnectAgentEventsAdapter, record: AgentEventRecord, agent: str
    ) -> None:
        self.adapter, self.record, self.agent = adapter, record, agent

    def status(
        self,
        kind: AgentEventType,
        at: datetime | None = None,
        reason: str | None = None,
    ) -> AgentEvent:
        event_id = ids.event_id(SOURCE, self.record.EventId, kind.value)
        return self._build(kind, event_id, at or self.record.EventTimestamp, reason=reason)

    def shift_start(self, now: _State, at: datetime | None) -> list[AgentEvent]:
        events = [self.status(AgentEventType.LOGGED_IN, at)]
        if now.kind is StatusKind.CUSTOM:
            events.append(self.status(AgentEventType.PAUSED, at, _reason(now.name)))
        return events

    def status_change(self, before: _State, now: _State) -> list[AgentEvent]:
        if (before.kind, before.name) == (now.kind, now.name):
            return []
        at = now.since or self.record.EventTimestamp
        if now.kind is StatusKind.OFFLINE:
            if before.kind is StatusKind.OFFLINE:
                return []
            return [self.status(AgentEventType.LOGGED_OUT, at)]
        if before.kind is StatusKind.OFFLINE:
            return self.shift_start(now, at)
        if now.kind is StatusKind.CUSTOM:
            return [self.status(AgentEventType.PAUSED, at, _reason(now.name))]
        if before.kind is StatusKind.CUSTOM:
            return [self.status(AgentEventType.UNPAUSED, at, _reason(before.name))]
        return []  # one routable status to another (a renamed Available)

    def contact(
        self, kind: AgentEventType, contact: _Contact, *, at_event: bool = False
    ) -> AgentEvent:
        if kind is AgentEventType.RING_NO_ANSWER:
            of_contact = ids.digest(contact.ContactId)
            event_id = ids.event_id(SOURCE, self.record.EventId, kind.value, of_contact)
        else:
            # The contact records' id for the same after-contact work: one event from both.
            event_id = ids.event_id(connect_ctr.SOURCE, contact.ContactId, kind.value)
        at = self.record.EventTimestamp
        if not at_event and contact.StateStartTimestamp is not None:
            at = contact.StateStartTimestamp
        prefix = self.adapter.options.call_id_prefix
        call = ids.call_id(prefix, contact.InitialContactId or contact.ContactId)
        queue = contact.Queue.Name if contact.Queue is not None else None
        return self._build(kind, event_id, at, call_id=call, queue=queue)

    def _build(self, kind: AgentEventType, event_id: str, at: datetime, **extra: Any) -> AgentEvent:
        return build(
            AgentEvent,
            schema_version=1,
            event_id=event_id,
            agent_id=self.agent,
            type=kind,
            occurred_at=at,
            origin=self.adapter.origin,
            source=SOURCE,
            **extra,
        )


def _reason(status_name: str) -> str:
    # Status names may be longer than the contract's reason; the start tells them apart.
    return status_name.strip()[:_REASON_MAX]
