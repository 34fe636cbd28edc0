"""A simulated evening written as Amazon Connect contact records, one JSON per line (pure).

One record per call in the shape of Connect's contact record data model (format version
2017-03-10): ISO 8601 UTC timestamps with milliseconds, `Queue` and `Agent` null when the
contact never reached them, the contact flow's attributes (postcode, ivr_choice, and the
agent's wrap_up_code) and the agent's after-contact work from the simulated wrap-up. Like the
queue_log writer this is the simulator's own rendering; the provider adapter parses it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hotline_schemas import AgentEvent, AgentEventType, CallEvent, EventType

ACCOUNT = "123456789012"
INSTANCE = f"arn:aws:connect:eu-central-1:{ACCOUNT}:instance/5f0b3c1e-7d2a-4c11-9a51-2d0e6c0b7a10"
QUEUE_ARN = f"{INSTANCE}/queue/0c9a3d5e-1b8f-4d2e-a7c4-6e5f4a3b2c1d"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _caller_hung_up(call_id: str) -> bool:
    return hashlib.sha256(call_id.encode()).digest()[0] < 179


def render(calls: Sequence[CallEvent], agents: Sequence[AgentEvent]) -> list[str]:
    """One contact record (a JSON line) per call, in order of the calls' start."""
    by_call: dict[str, list[CallEvent]] = defaultdict(list)
    for event in calls:
        by_call[event.call_id].append(event)
    wrap_ups: dict[tuple[str, AgentEventType], datetime] = {}
    for agent_event in agents:
        if agent_event.call_id is not None:
            wrap_ups[(agent_event.call_id, agent_event.type)] = agent_event.occurred_at
    ordered = sorted(by_call.values(), key=lambda e: (e[0].occurred_at, e[0].call_id))
    return [json.dumps(_record(events, wrap_ups), separators=(",", ":")) for events in ordered]


def _record(
    events: list[CallEvent], wrap_ups: dict[tuple[str, AgentEventType], datetime]
) -> dict[str, Any]:
    kinds = {e.type: e for e in events}
    first = events[0]
    call_id = first.call_id
    queued = kinds.get(EventType.QUEUED)
    answered = kinds.get(EventType.ANSWERED)
    abandoned = kinds.get(EventType.ABANDONED)
    ended = kinds.get(EventType.ENDED)
    if answered is not None:
        reason = "CUSTOMER_DISCONNECT" if _caller_hung_up(call_id) else "AGENT_DISCONNECT"
    elif abandoned is not None:
        reason = "CUSTOMER_DISCONNECT"
    else:
        reason = "CONTACT_FLOW_DISCONNECT"  # the closed message played, the flow hung up
    disconnect = ended.occurred_at if ended is not None else events[-1].occurred_at
    if abandoned is not None and queued is None:
        disconnect = abandoned.occurred_at  # hung up in the flow: that is the disconnect
    queue = None
    if queued is not None:
        dequeued = answered or abandoned
        queue = {
            "ARN": QUEUE_ARN,
            "DequeueTimestamp": _iso(dequeued.occurred_at if dequeued else None),
            "Duration": round(
                ((dequeued or queued).occurred_at - queued.occurred_at).total_seconds()
            ),
            "EnqueueTimestamp": _iso(queued.occurred_at),
            "Name": queued.queue or "hotline",
        }
    agent = None
    if answered is not None and ended is not None:
        acw_start = wrap_ups.get((call_id, AgentEventType.WRAP_UP_STARTED))
        acw_end = wrap_ups.get((call_id, AgentEventType.WRAP_UP_ENDED))
        agent = {
            "ARN": f"{INSTANCE}/agent/{answered.agent_id}",
            "AfterContactWorkDuration": (
                round((acw_end - acw_start).total_seconds()) if acw_start and acw_end else None
            ),
            "AfterContactWorkEndTimestamp": _iso(acw_end),
            "AfterContactWorkStartTimestamp": _iso(acw_start),
            "AgentInteractionDuration": round(
                (ended.occurred_at - answered.occurred_at).total_seconds()
            ),
            "ConnectedToAgentTimestamp": _iso(answered.occurred_at),
            "CustomerHoldDuration": 0,
            "HierarchyGroups": None,
            "LongestHoldDuration": 0,
            "NumberOfHolds": 0,
            "RoutingProfile": {"ARN": f"{INSTANCE}/routing-profile/hotline", "Name": "Hotline"},
            "Username": answered.agent_id,
        }
    attributes = {
        key: value
        for key, value in (
            ("postcode", first.caller_postcode),
            ("ivr_choice", first.ivr_choice),
            ("wrap_up_code", ended.wrap_up_code if ended is not None else None),
        )
        if value is not None
    }
    return {
        "AWSAccountId": ACCOUNT,
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "Agent": agent,
        "AgentConnectionAttempts": 1 if answered is not None else 0,
        "Attributes": attributes,
        "Channel": "VOICE",
        "ConnectedToSystemTimestamp": _iso(first.occurred_at),
        "ContactId": call_id,
        "CustomerEndpoint": {
            "Address": first.caller_number or "anonymous",
            "Type": "TELEPHONE_NUMBER",
        },
        "DisconnectReason": reason,
        "DisconnectTimestamp": _iso(disconnect),
        "InitialContactId": None,
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": _iso(first.occurred_at),
        "InstanceARN": INSTANCE,
        "LastUpdateTimestamp": _iso(disconnect),
        "MediaStreams": [{"Type": "AUDIO"}],
        "NextContactId": None,
        "PreviousContactId": None,
        "Queue": queue,
        "Recording": None,
        "SystemEndpoint": {"Address": first.line, "Type": "TELEPHONE_NUMBER"},
        "TransferCompletedTimestamp": None,
        "TransferredToEndpoint": None,
    }
