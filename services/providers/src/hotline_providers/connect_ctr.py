"""Amazon Connect contact records (CTR JSON, one record per line) -> CallEventV2, AgentEvent.

Contact records arrive through Kinesis Data Streams or Firehose (to S3) as JSON objects, one
per line here (configure Firehose to add a newline delimiter). Amazon Connect delivers a
record at least once, and again when it is updated (e.g. new attributes): ids depend on the
`ContactId` and the event kind only, so a redelivered or updated record gives the same
events and adds nothing to FINAL results. Timestamps are ISO 8601 in UTC.

Field by field (everything else in the record is ignored):

- `Channel` must be `VOICE` and `InitiationMethod` `INBOUND`; other contacts (chat, tasks,
  outbound calls, and the second contact a TRANSFER/QUEUE_TRANSFER creates for a call that
  is already counted) are skipped with the reason;
- `ContactId` -> `call_id` (`connect:<ContactId>`);
- `InitiationTimestamp` -> `offered`;
- `Queue.EnqueueTimestamp` -> `queued`, `Queue.Name` -> `queue`;
- `Agent.ConnectedToAgentTimestamp` -> `answered`, `Agent.Username` -> `agent_id`;
- no agent: `abandoned` at `Queue.DequeueTimestamp` (else `DisconnectTimestamp`) when the
  contact was queued or the customer hung up; end_reason from `DisconnectReason`:
  CUSTOMER_DISCONNECT -> caller_hangup, EXPIRED -> queue_timeout, others -> system;
- `DisconnectTimestamp` -> `ended`; end_reason for answered contacts: a
  `TransferCompletedTimestamp` -> transfer, CUSTOMER_DISCONNECT -> caller_hangup,
  AGENT_DISCONNECT -> agent_hangup, others -> system;
- `CustomerEndpoint.Address` (when `Type` is TELEPHONE_NUMBER) -> `caller_number`;
  `SystemEndpoint.Address` -> `line`;
- `Attributes.postcode`, `Attributes.ivr_choice`, `Attributes.wrap_up_code` (names
  configurable) -> `caller_postcode`, `ivr_choice`, `wrap_up_code`;
- `Agent.AfterContactWorkStartTimestamp` / `...EndTimestamp` -> AgentEvent
  `wrap_up_started` / `wrap_up_ended` for the agent, with the call's id.

Agents' log-ins and breaks are not in contact records: they are in Connect's separate agent
event stream (`connect_agent_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from hotline_providers import ids
from hotline_providers.connect_json import IsoTime as CtrTime
from hotline_providers.connect_json import Lenient as _Lenient
from hotline_providers.model import Converted, Event, RecordError, build, guarded
from hotline_providers.numbers import e164
from hotline_schemas import AgentEvent, AgentEventType, CallEventV2, EndReason, EventType, Origin
from hotline_schemas.validation import error_items
from hotline_schemas.validation import reason as validation_reason

SOURCE = "connect-ctr"


class _Endpoint(_Lenient):
    Address: str | None = None
    Type: str | None = None


class _Queue(_Lenient):
    Name: str | None = None
    EnqueueTimestamp: CtrTime | None = None
    DequeueTimestamp: CtrTime | None = None


class _Agent(_Lenient):
    Username: str | None = None
    ConnectedToAgentTimestamp: CtrTime | None = None
    AfterContactWorkStartTimestamp: CtrTime | None = None
    AfterContactWorkEndTimestamp: CtrTime | None = None


class ContactRecord(_Lenient):
    ContactId: str = Field(min_length=1)
    Channel: str
    InitiationMethod: str
    InitiationTimestamp: CtrTime
    DisconnectTimestamp: CtrTime | None = None
    DisconnectReason: str | None = None
    TransferCompletedTimestamp: CtrTime | None = None
    CustomerEndpoint: _Endpoint | None = None
    SystemEndpoint: _Endpoint | None = None
    Queue: _Queue | None = None
    Agent: _Agent | None = None
    Attributes: dict[str, str | None] = Field(default_factory=dict)


@dataclass(frozen=True)
class ConnectOptions:
    call_id_prefix: str = "connect"
    postcode_attribute: str = "postcode"
    ivr_choice_attribute: str = "ivr_choice"
    wrap_up_attribute: str = "wrap_up_code"
    line: str = "+4570200000"  # when the record has no usable SystemEndpoint
    country_code: str = "45"


_UNANSWERED = {"CUSTOMER_DISCONNECT": EndReason.CALLER_HANGUP, "EXPIRED": EndReason.QUEUE_TIMEOUT}
_ANSWERED = {
    "CUSTOMER_DISCONNECT": EndReason.CALLER_HANGUP,
    "AGENT_DISCONNECT": EndReason.AGENT_HANGUP,
}


def parse_record(raw: str) -> ContactRecord:
    try:
        return ContactRecord.model_validate_json(raw)
    except ValidationError as exc:
        reason = validation_reason(exc)
        raise RecordError(f"not a contact record: {reason}", error_items(exc)) from exc


class ConnectCtrAdapter:
    """Stateless: each line is one contact record."""

    source = SOURCE

    def __init__(self, options: ConnectOptions | None = None, origin: Origin = Origin.IMPORT):
        self.options = options or ConnectOptions()
        self.origin = origin

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        return None

    def convert(self, line: int, raw: str) -> Converted:
        return guarded(line, raw, lambda: self._convert(line, raw))

    def _convert(self, line: int, raw: str) -> Converted:
        record = parse_record(raw)
        if record.Channel != "VOICE":
            return Converted(line, raw, skipped=f"channel {record.Channel}: not a call")
        if record.InitiationMethod != "INBOUND":
            return Converted(
                line,
                raw,
                skipped=f"initiation {record.InitiationMethod}: only inbound contacts are calls",
            )
        return Converted(line, raw, events=tuple(self._events(record)))

    def _events(self, record: ContactRecord) -> list[Event]:
        options = self.options
        call_id = ids.call_id(options.call_id_prefix, record.ContactId)
        queue = record.Queue or _Queue()
        agent = record.Agent or _Agent()
        customer = record.CustomerEndpoint or _Endpoint()
        caller = None
        if customer.Type in (None, "TELEPHONE_NUMBER"):
            caller = e164(customer.Address, options.country_code)
        system = record.SystemEndpoint or _Endpoint()
        attributes = record.Attributes
        common: dict[str, Any] = {
            "schema_version": 2,
            "call_id": call_id,
            "line": e164(system.Address, options.country_code) or options.line,
            "caller_number": caller,
            "caller_postcode": attributes.get(options.postcode_attribute) or None,
            "ivr_choice": attributes.get(options.ivr_choice_attribute) or None,
            "queue": queue.Name if queue.EnqueueTimestamp is not None else None,
            "origin": self.origin,
            "source": SOURCE,
        }

        def event(kind: EventType, at: datetime, **extra: Any) -> CallEventV2:
            event_id = ids.event_id(SOURCE, record.ContactId, kind.value)
            return build(
                CallEventV2, event_id=event_id, type=kind, occurred_at=at, **common, **extra
            )

        events: list[Event] = [event(EventType.OFFERED, record.InitiationTimestamp)]
        if queue.EnqueueTimestamp is not None:
            events.append(event(EventType.QUEUED, queue.EnqueueTimestamp))
        answered = agent.ConnectedToAgentTimestamp
        reason = self._end_reason(record, answered=answered is not None)
        if answered is not None:
            events.append(event(EventType.ANSWERED, answered, agent_id=agent.Username))
        elif queue.EnqueueTimestamp is not None or reason is EndReason.CALLER_HANGUP:
            gone = queue.DequeueTimestamp or record.DisconnectTimestamp
            if gone is None:
                raise RecordError("unanswered contact without DisconnectTimestamp")
            events.append(event(EventType.ABANDONED, gone, end_reason=reason))
        if record.DisconnectTimestamp is not None:
            wrap_up = attributes.get(options.wrap_up_attribute) or None
            events.append(
                event(
                    EventType.ENDED,
                    record.DisconnectTimestamp,
                    end_reason=reason,
                    agent_id=agent.Username if answered is not None else None,
                    wrap_up_code=wrap_up,
                )
            )
        if answered is not None and agent.Username:
            events.extend(self._after_contact_work(record, agent, call_id, common["queue"]))
        return events

    def _end_reason(self, record: ContactRecord, *, answered: bool) -> EndReason:
        why = (record.DisconnectReason or "").upper()
        if answered:
            if record.TransferCompletedTimestamp is not None:
                return EndReason.TRANSFER
            return _ANSWERED.get(why, EndReason.SYSTEM)
        return _UNANSWERED.get(why, EndReason.SYSTEM)

    def _after_contact_work(
        self, record: ContactRecord, agent: _Agent, call_id: str, queue: str | None
    ) -> list[Event]:
        out: list[Event] = []
        for kind, at in (
            (AgentEventType.WRAP_UP_STARTED, agent.AfterContactWorkStartTimestamp),
            (AgentEventType.WRAP_UP_ENDED, agent.AfterContactWorkEndTimestamp),
        ):
            if at is None:
                continue
            out.append(
                build(
                    AgentEvent,
                    schema_version=1,
                    event_id=ids.event_id(SOURCE, record.ContactId, kind.value),
                    agent_id=agent.Username,
                    type=kind,
                    occurred_at=at,
                    queue=queue,
                    call_id=call_id,
                    origin=self.origin,
                    source=SOURCE,
                )
            )
        return out
