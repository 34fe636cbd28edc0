"""Amazon Connect contact records -> events, per event kind (samples/connect_ctr.jsonl).

The sample records follow the contact record data model (AWSContactTraceRecordFormatVersion
2017-03-10): ISO 8601 UTC timestamps, Queue/Agent objects that are null when the contact never
reached them, DisconnectReason, contact Attributes set by the contact flow; one record
redelivered with a later LastUpdateTimestamp, as Connect does when a record is updated.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline_providers.connect_ctr import ConnectCtrAdapter, ConnectOptions
from hotline_providers.model import Converted
from hotline_providers.reading import records
from hotline_schemas import AgentEvent, AgentEventType, CallEventV2, EventType, parse_call_event

SAMPLE = Path(__file__).parent / "samples" / "connect_ctr.jsonl"
ANSWERED = "6fe40d2a-1a89-4d73-bfcf-5d9c33894f47"
ABANDONED, MENU, AGENT_END, TRANSFERRED, EXPIRED, FLOW = (
    f"b1c2d3e4-0000-4c4c-9a9a-00000000000{n}" for n in "234567"
)


def convert(adapter: ConnectCtrAdapter | None = None) -> list[Converted]:
    adapter = adapter or ConnectCtrAdapter()
    with SAMPLE.open("rb") as f:
        return [adapter.convert(r.line, r.text) for r in records(f)]


@pytest.fixture(scope="module")
def results() -> list[Converted]:
    return convert()


@pytest.fixture(scope="module")
def calls(results: list[Converted]) -> dict[str, list[CallEventV2]]:
    out: dict[str, list[CallEventV2]] = defaultdict(list)
    for result in results:
        if result.line == 3:
            continue  # the redelivered copy of the first record
        for event in result.events:
            if isinstance(event, CallEventV2):
                out[event.call_id.removeprefix("connect:")].append(event)
    return out


def kinds(events: list[CallEventV2]) -> list[tuple[str, str | None]]:
    return [(e.type.value, e.end_reason.value if e.end_reason else None) for e in events]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_an_answered_contact_is_offered_queued_answered_ended(
    calls: dict[str, list[CallEventV2]],
) -> None:
    offered, queued, answered, ended = calls[ANSWERED]
    assert kinds(calls[ANSWERED]) == [
        ("offered", None),
        ("queued", None),
        ("answered", None),
        ("ended", "caller_hangup"),  # CUSTOMER_DISCONNECT
    ]
    assert offered.call_id == f"connect:{ANSWERED}"
    assert offered.occurred_at == utc("2013-03-31T16:30:04Z")  # InitiationTimestamp
    assert queued.occurred_at == utc("2013-03-31T16:30:25Z")  # Queue.EnqueueTimestamp
    assert answered.occurred_at == utc("2013-03-31T16:30:31Z")  # ConnectedToAgentTimestamp
    assert ended.occurred_at == utc("2013-03-31T16:38:11Z")  # DisconnectTimestamp
    assert answered.agent_id == ended.agent_id == "agent-07"  # Agent.Username
    assert offered.line == "+4570200000"  # SystemEndpoint.Address
    assert offered.caller_number == "+4586123456"  # CustomerEndpoint.Address
    assert offered.caller_postcode == "8000"  # Attributes.postcode
    assert offered.ivr_choice == "2"  # Attributes.ivr_choice
    assert ended.wrap_up_code == "MITID"  # Attributes.wrap_up_code
    assert queued.queue == "hotline"  # Queue.Name
    assert offered.source == "connect-ctr"


def test_a_contact_abandoned_in_the_queue_keeps_milliseconds(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[ABANDONED]) == [
        ("offered", None),
        ("queued", None),
        ("abandoned", "caller_hangup"),
        ("ended", "caller_hangup"),
    ]
    abandoned = calls[ABANDONED][2]
    assert abandoned.occurred_at == utc("2013-03-31T16:33:41.600Z")  # Queue.DequeueTimestamp


def test_a_hangup_in_the_flow_is_abandoned_without_a_queue(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[MENU]) == [
        ("offered", None),
        ("abandoned", "caller_hangup"),
        ("ended", "caller_hangup"),
    ]
    assert calls[MENU][0].caller_number == "+4586123457"  # "86 12 34 57"
    assert all(e.queue is None for e in calls[MENU])


def test_end_reasons_of_answered_contacts(calls: dict[str, list[CallEventV2]]) -> None:
    assert kinds(calls[AGENT_END])[-1] == ("ended", "agent_hangup")
    assert calls[AGENT_END][0].caller_number is None  # "anonymous"
    assert kinds(calls[TRANSFERRED])[-1] == ("ended", "transfer")  # TransferCompletedTimestamp


def test_expired_in_queue_is_a_timeout_and_a_flow_disconnect_is_system(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[EXPIRED])[2:] == [("abandoned", "queue_timeout"), ("ended", "queue_timeout")]
    assert kinds(calls[FLOW]) == [("offered", None), ("ended", "system")]


def test_after_contact_work_is_wrap_up_for_the_agent(results: list[Converted]) -> None:
    wrap_ups = [
        (e.agent_id, e.type, e.occurred_at, e.call_id)
        for r in results[:1]
        for e in r.events
        if isinstance(e, AgentEvent)
    ]
    assert wrap_ups == [
        (
            "agent-07",
            AgentEventType.WRAP_UP_STARTED,
            utc("2013-03-31T16:38:11Z"),
            f"connect:{ANSWERED}",
        ),
        (
            "agent-07",
            AgentEventType.WRAP_UP_ENDED,
            utc("2013-03-31T16:38:52Z"),
            f"connect:{ANSWERED}",
        ),
    ]


def test_only_inbound_voice_contacts_are_calls(results: list[Converted]) -> None:
    assert [r.skipped for r in results if r.skipped] == [
        "channel CHAT: not a call",
        "initiation OUTBOUND: only inbound contacts are calls",
        "initiation TRANSFER: only inbound contacts are calls",
    ]


def test_bad_records_are_rejected_with_line_and_field(results: list[Converted]) -> None:
    rejected = [(r.line, [e["field"] for e in r.rejected.errors]) for r in results if r.rejected]
    assert rejected == [
        (12, ["(body)"]),  # cut-off JSON
        (13, ["InitiationTimestamp"]),  # missing
        (14, ["InitiationTimestamp"]),  # a Unix number, not ISO 8601
    ]


def test_a_redelivered_record_gives_the_same_events(results: list[Converted]) -> None:
    first, again = results[0], results[2]
    assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
    ids = [e.event_id for r in results if r.line != 3 for e in r.events]
    assert len(ids) == len(set(ids))
    for r in results:
        for event in r.events:
            if isinstance(event, CallEventV2):
                assert parse_call_event(event.model_dump_json()) == event


def test_attribute_names_are_configurable() -> None:
    adapter = ConnectCtrAdapter(ConnectOptions(postcode_attribute="greetingPlayed"))
    offered = convert(adapter)[0].events[0]
    assert isinstance(offered, CallEventV2)
    assert offered.type is EventType.OFFERED
    assert offered.caller_postcode == "true"
