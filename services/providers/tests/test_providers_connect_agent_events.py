"""Amazon Connect agent events -> AgentEvent, per event kind (samples/connect_agent_events.jsonl).

The sample follows the agent event stream data model (Version 2019-05-25): LOGIN / LOGOUT /
STATE_CHANGE / HEART_BEAT, each with the agent's CurrentAgentSnapshot and, for STATE_CHANGE,
PreviousAgentSnapshot; the same evening and contacts as samples/connect_ctr.jsonl.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotline_providers.connect_agent_events import (
    HEART_BEAT_SKIPPED,
    LOGIN_OFFLINE_SKIPPED,
    NOTHING_SKIPPED,
    AgentEventOptions,
    ConnectAgentEventsAdapter,
)
from hotline_providers.connect_ctr import ConnectCtrAdapter
from hotline_providers.model import Converted
from hotline_providers.reading import records
from hotline_schemas import AgentEvent, AgentEventType, Origin, agents

SAMPLES = Path(__file__).parent / "samples"
SAMPLE = SAMPLES / "connect_agent_events.jsonl"
ANSWERED = "6fe40d2a-1a89-4d73-bfcf-5d9c33894f47"  # agent-07's first call in connect_ctr.jsonl
TAKEN_BY_03, TRANSFERRED = (f"b1c2d3e4-0000-4c4c-9a9a-00000000000{n}" for n in "45")
TRANSFER_CONTACT = "b1c2d3e4-0000-4c4c-9a9a-00000000000a"


def convert(adapter: ConnectAgentEventsAdapter | None = None) -> list[Converted]:
    adapter = adapter or ConnectAgentEventsAdapter()
    with SAMPLE.open("rb") as f:
        return [adapter.convert(r.line, r.text) for r in records(f)]


@pytest.fixture(scope="module")
def results() -> list[Converted]:
    return convert()


def agent_events(results: list[Converted], agent: str) -> list[tuple[Any, ...]]:
    return [
        (e.type.value, e.occurred_at, e.reason, e.call_id)
        for r in results
        if r.line != 26  # the redelivered break
        for e in r.events
        if isinstance(e, AgentEvent) and e.agent_id == agent
    ]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def sample_record(line: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[line - 1])
    return data


def one(record: dict[str, Any]) -> Converted:
    return ConnectAgentEventsAdapter().convert(1, json.dumps(record))


def test_an_evening_of_one_agent(results: list[Converted]) -> None:
    call = f"connect:{ANSWERED}"
    second = f"connect:{TRANSFERRED}"
    assert agent_events(results, "agent-07") == [
        # LOGIN with the status Offline (skipped), then Available: on shift
        ("logged_in", utc("2013-03-31T16:22:40.512Z"), None, None),
        # contact ENDED (StateStartTimestamp), then gone from the snapshot (EventTimestamp)
        ("wrap_up_started", utc("2013-03-31T16:38:11Z"), None, call),
        ("wrap_up_ended", utc("2013-03-31T16:38:52Z"), None, call),
        ("wrap_up_started", utc("2013-03-31T17:10:05Z"), None, second),
        ("wrap_up_ended", utc("2013-03-31T17:10:30Z"), None, second),
        # the custom status "Pause" and back to Available (AgentStatus.StartTimestamp)
        ("paused", utc("2013-03-31T17:45:00.208Z"), "Pause", None),
        ("unpaused", utc("2013-03-31T18:00:03.911Z"), "Pause", None),
        # the status Offline, then LOGOUT
        ("logged_out", utc("2013-03-31T20:00:41.300Z"), None, None),
        ("logged_out", utc("2013-03-31T20:00:44.018Z"), None, None),
    ]


def test_login_with_a_routable_status_and_custom_to_custom(results: list[Converted]) -> None:
    events = agent_events(results, "agent-03")
    assert [(kind, reason) for kind, _, reason, _ in events] == [
        ("logged_in", None),  # LOGIN while Available
        ("wrap_up_started", None),
        ("wrap_up_ended", None),
        ("paused", "Møde"),
        ("paused", "Pause"),  # one custom status to another: a new pause reason
        ("unpaused", "Pause"),
        ("logged_out", None),  # LOGOUT while Available
    ]
    assert events[0][1] == utc("2013-03-31T16:25:13.870Z")  # EventTimestamp, not the status's


def test_leaving_offline_into_a_custom_status_is_logged_in_and_paused(
    results: list[Converted],
) -> None:
    events = agent_events(results, "agent-11")
    assert events[:3] == [
        ("logged_in", utc("2013-03-31T16:40:02.250Z"), None, None),
        ("paused", utc("2013-03-31T16:40:02.250Z"), "Oplæring", None),
        ("unpaused", utc("2013-03-31T16:44:00.100Z"), "Oplæring", None),
    ]


def test_a_missed_contact_is_ring_no_answer(results: list[Converted]) -> None:
    (ring,) = [e for e in results[12].events if isinstance(e, AgentEvent)]
    assert ring.type is AgentEventType.RING_NO_ANSWER
    assert ring.agent_id == "agent-11"
    assert ring.occurred_at == utc("2013-03-31T16:45:15.300Z")  # the MISSED StateStartTimestamp
    assert ring.call_id == f"connect:{TAKEN_BY_03}"
    assert ring.queue == "hotline"


def test_a_transfers_contact_is_wrap_up_for_the_inbound_call(results: list[Converted]) -> None:
    started = results[22].events[0]
    assert isinstance(started, AgentEvent)
    assert (started.agent_id, started.type) == ("agent-11", AgentEventType.WRAP_UP_STARTED)
    assert started.call_id == f"connect:{TRANSFERRED}"  # InitialContactId
    assert started.event_id == f"connect-ctr:{TRANSFER_CONTACT}:wrap_up_started"


def test_wrap_up_events_are_the_contact_records_own(results: list[Converted]) -> None:
    with (SAMPLES / "connect_ctr.jsonl").open("rb") as f:
        ctr = [ConnectCtrAdapter().convert(r.line, r.text) for r in records(f)]
    from_ctr = {
        (e.event_id, e.agent_id, e.call_id, e.occurred_at)
        for r in ctr
        for e in r.events
        if isinstance(e, AgentEvent)
    }
    from_stream = {
        (e.event_id, e.agent_id, e.call_id, e.occurred_at)
        for r in results
        for e in r.events
        if isinstance(e, AgentEvent) and e.type.value.startswith("wrap_up")
    }
    assert from_ctr <= from_stream  # the same after-contact work, the same ids and times
    # agent ids are the contact records' Agent.Username: calls and agents join
    answered_by = {e.agent_id for r in ctr for e in r.events if e.type.value == "answered"}
    assert answered_by <= {e.agent_id for r in results for e in r.events}


def test_heartbeats_and_other_changes_are_skipped_not_rejected(results: list[Converted]) -> None:
    skipped = [r.skipped for r in results if r.skipped]
    assert skipped.count(HEART_BEAT_SKIPPED) == 2
    assert skipped.count(LOGIN_OFFLINE_SKIPPED) == 2
    # ringing, talking, on hold, the missed contact cleared, a routing profile change
    assert skipped.count(NOTHING_SKIPPED) == 9
    assert not any(r.events for r in results if r.skipped)


def test_bad_records_are_rejected_with_line_and_reason(results: list[Converted]) -> None:
    rejected = [(r.line, r.rejected.reason.split(":")[0]) for r in results if r.rejected]
    assert rejected == [
        (38, "not an agent event record"),  # cut-off JSON
        (39, "unknown EventType"),
        (40, "no PreviousAgentSnapshot"),
    ]


def test_a_redelivered_record_gives_the_same_events(results: list[Converted]) -> None:
    first, again = results[24], results[25]
    assert first.raw == again.raw
    assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
    assert first.events == again.events
    ids = [e.event_id for r in results if r.line != 26 for e in r.events]
    assert len(ids) == len(set(ids))
    for r in results:
        for event in r.events:
            assert AgentEvent.model_validate_json(event.model_dump_json()) == event
            assert event.source == "connect-agent-events"
            assert event.origin is Origin.IMPORT


def test_converting_twice_gives_the_same_ids() -> None:
    ids = [[e.event_id for r in convert() for e in r.events] for _ in range(2)]
    assert ids[0] == ids[1]


def test_status_names_decide_without_a_status_type(results: list[Converted]) -> None:
    # line 35: Available -> Offline with no AgentStatus.Type: the names say routable / offline
    assert [e.type for e in results[34].events] == [AgentEventType.LOGGED_OUT]
    record = sample_record(35)
    for snapshot in ("CurrentAgentSnapshot", "PreviousAgentSnapshot"):
        status = record[snapshot]["AgentStatus"]
        status["Name"] = {"Offline": "Fri", "Available": "Ledig"}[status["Name"]]
    assert [e.type for e in one(record).events] == [AgentEventType.PAUSED]  # "Fri" is custom
    danish = AgentEventOptions(
        available_statuses=frozenset({"ledig"}), offline_statuses=frozenset({"fri"})
    )
    converted = ConnectAgentEventsAdapter(danish).convert(35, json.dumps(record))
    assert [e.type for e in converted.events] == [AgentEventType.LOGGED_OUT]


# Hostile input: each is rejected with a reason; the rest of a file goes on.


def _state_change() -> dict[str, Any]:
    return sample_record(25)  # agent-07: Available -> Pause


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.pop("CurrentAgentSnapshot"), "no CurrentAgentSnapshot"),
        (lambda r: r.update(PreviousAgentSnapshot=None), "no PreviousAgentSnapshot"),
        (
            lambda r: r["CurrentAgentSnapshot"]["Configuration"].pop("Username"),
            "no agent: CurrentAgentSnapshot.Configuration.Username is empty",
        ),
        (
            lambda r: r["PreviousAgentSnapshot"].pop("AgentStatus"),
            "no agent status: PreviousAgentSnapshot.AgentStatus.Name is missing",
        ),
        (lambda r: r.pop("EventId"), "not an agent event record: EventId: Field required"),
        (lambda r: r.pop("EventType"), "not an agent event record: EventType: Field required"),
        (lambda r: r.update(EventType="BREAK"), "unknown EventType: 'BREAK'"),
        (lambda r: r.update(EventTimestamp=1364748300), "not an agent event record"),
        (lambda r: r.update(EventTimestamp="31-03-2013 17:45"), "not an agent event record"),
        (lambda r: r.update(EventTimestamp="2013-03-31T17:45:00"), "not an agent event record"),
        (lambda r: r["CurrentAgentSnapshot"].update(Contacts="none"), "not an agent event record"),
        (lambda r: r.update(CurrentAgentSnapshot=[]), "not an agent event record"),
        (
            lambda r: r["CurrentAgentSnapshot"]["AgentStatus"].update(StartTimestamp=17),
            "not an agent event record",
        ),
        (
            lambda r: r["CurrentAgentSnapshot"]["AgentStatus"].update(
                StartTimestamp="2100-01-01T00:00:00Z"
            ),
            "not a valid event: occurred_at: Value error, must lie between 2000-01-01",
        ),
        (
            lambda r: r["CurrentAgentSnapshot"]["AgentStatus"].update(
                StartTimestamp="1999-12-31T23:59:59.999Z"
            ),
            "not a valid event: occurred_at: Value error, must lie between 2000-01-01",
        ),
    ],
)
def test_hostile_records_are_rejected(change: Any, reason: str) -> None:
    record = _state_change()
    change(record)
    result = one(record)
    assert result.rejected is not None, result
    assert result.rejected.reason.startswith(reason)
    assert not result.events


@pytest.mark.parametrize("raw", ["", "null", "[]", '"STATE_CHANGE"', "{", "\ufffd\ufffd"])
def test_what_is_not_a_record_is_rejected(raw: str) -> None:
    result = ConnectAgentEventsAdapter().convert(7, raw)
    assert result.rejected is not None
    assert result.line == 7


def test_a_heartbeat_is_skipped_whatever_its_snapshots() -> None:
    record = sample_record(4)
    record["CurrentAgentSnapshot"] = None
    assert one(record).skipped == HEART_BEAT_SKIPPED


def test_login_and_logout_need_no_previous_snapshot() -> None:
    assert [e.type for e in one(sample_record(3)).events] == [AgentEventType.LOGGED_IN]
    assert [e.type for e in one(sample_record(34)).events] == [AgentEventType.LOGGED_OUT]


def test_chats_and_outbound_calls_are_not_hotline_calls() -> None:
    record = sample_record(7)  # agent-07's contact CONNECTED -> ENDED
    for snapshot in ("CurrentAgentSnapshot", "PreviousAgentSnapshot"):
        record[snapshot]["Contacts"][0]["Channel"] = "CHAT"
    assert one(record).skipped == NOTHING_SKIPPED
    record = sample_record(7)
    for snapshot in ("CurrentAgentSnapshot", "PreviousAgentSnapshot"):
        record[snapshot]["Contacts"][0]["InitiationMethod"] = "OUTBOUND"
    assert one(record).skipped == NOTHING_SKIPPED


def test_a_long_status_name_is_cut_to_the_contracts_reason() -> None:
    record = _state_change()
    record["CurrentAgentSnapshot"]["AgentStatus"]["Name"] = "Pause " + "x" * 100
    (paused,) = one(record).events
    assert isinstance(paused, AgentEvent)
    assert paused.reason is not None
    assert len(paused.reason) == 64


def test_duplicate_records_with_other_key_order_give_the_same_ids() -> None:
    record = _state_change()
    shuffled = dict(reversed(list(record.items())))
    adapter = ConnectAgentEventsAdapter()
    first = adapter.convert(1, json.dumps(record))
    again = adapter.convert(99, json.dumps(shuffled, indent=None, separators=(", ", ": ")))
    assert [e.event_id for e in first.events] == [e.event_id for e in again.events]
    assert first.events == again.events


def test_the_boards_agent_states_through_the_evening(results: list[Converted]) -> None:
    # What the agent panel shows: the sample's events with the contact records' calls.
    steps = [
        agents.AgentStep(e.agent_id, e.type, e.occurred_at, e.reason)
        for r in results
        for e in r.events
        if isinstance(e, AgentEvent)
    ]
    calls = [
        agents.CallSpan("agent-07", utc("2013-03-31T16:30:31Z"), utc("2013-03-31T16:38:11Z")),
        agents.CallSpan("agent-03", utc("2013-03-31T16:45:30Z"), utc("2013-03-31T16:52:30Z")),
    ]
    segs = agents.segments(steps, calls, now=utc("2013-03-31T21:00:00Z"))

    def at(text: str) -> dict[str, tuple[str, str]]:
        return {a: (s.value, r) for a, (s, r) in agents.state_at(segs, utc(text)).items()}

    assert at("2013-03-31T16:21:00Z")["agent-07"] == ("off", "")  # logged in, status Offline
    assert at("2013-03-31T16:35:00Z")["agent-07"] == ("on_call", "")
    assert at("2013-03-31T16:38:30Z")["agent-07"] == ("wrap_up", "")
    assert at("2013-03-31T16:42:00Z") == {
        "agent-07": ("available", ""),
        "agent-03": ("available", ""),
        "agent-11": ("paused", "Oplæring"),
    }
    assert at("2013-03-31T17:50:00Z")["agent-07"] == ("paused", "Pause")
    assert at("2013-03-31T18:20:00Z")["agent-03"] == ("paused", "Møde")
    assert set(at("2013-03-31T20:30:00Z").values()) == {("off", "")}
