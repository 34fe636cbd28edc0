"""Asterisk queue_log -> events, per event kind, from a realistic evening (samples/queue_log).

The sample follows app_queue's own lines (Asterisk 1.8 and current: ENTERQUEUE url|callerid|
position, CONNECT holdtime|bridged uniqueid|ringtime, COMPLETE* holdtime|calltime|position,
TRANSFER extension|context|holdtime|calltime|position, ABANDON/EXIT* position|origposition|
waittime, EXITWITHKEY key|..., RINGNOANSWER ringtime-ms, ADDMEMBER/PAUSE/UNPAUSE with reasons)
plus the dialplan's QueueLog() lines documented in docs/providers.md (DID, INFO|...).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline_providers.asterisk_queue_log import QueueLogAdapter, QueueLogOptions
from hotline_providers.model import Converted
from hotline_providers.reading import records
from hotline_schemas import (
    AgentEvent,
    AgentEventType,
    CallEventV2,
    EndReason,
    EventType,
    Origin,
    parse_call_event,
)

SAMPLE = Path(__file__).parent / "samples" / "queue_log"
ANSWERED, AGENT_ENDS, TRANSFERRED = "1354555805.11", "1354555900.15", "1354556000.20"
ABANDONED, TIMED_OUT, LEFT_WITH_KEY = "1354556200.31", "1354557000.44", "1354557300.47"
NO_AGENTS, MENU_HANGUP, WITHHELD = "1354567000.80", "1354556600.40", "1354561000.60"
CLOSED, CLOSED_HANGUP = "1354568700.90", "1354568900.93"


def convert(path: Path = SAMPLE, adapter: QueueLogAdapter | None = None) -> list[Converted]:
    adapter = adapter or QueueLogAdapter()
    with path.open("rb") as f:
        return [adapter.convert(r.line, r.text) for r in records(f)]


@pytest.fixture(scope="module")
def results() -> list[Converted]:
    return convert()


@pytest.fixture(scope="module")
def calls(results: list[Converted]) -> dict[str, list[CallEventV2]]:
    out: dict[str, list[CallEventV2]] = defaultdict(list)
    for result in results:
        for event in result.events:
            if isinstance(event, CallEventV2):
                out[event.call_id.removeprefix("asterisk:")].append(event)
    return out


@pytest.fixture(scope="module")
def agents(results: list[Converted]) -> list[AgentEvent]:
    return [e for r in results for e in r.events if isinstance(e, AgentEvent)]


def kinds(events: list[CallEventV2]) -> list[tuple[str, str | None]]:
    return [(e.type.value, e.end_reason.value if e.end_reason else None) for e in events]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_did_is_offered_with_the_dialled_line_and_caller_in_e164(
    calls: dict[str, list[CallEventV2]],
) -> None:
    offered = calls[ANSWERED][0]
    assert offered.type is EventType.OFFERED
    assert offered.call_id == f"asterisk:{ANSWERED}"
    assert offered.occurred_at == at("2012-12-03T18:30:05+01:00")  # exact, from Unix seconds
    assert offered.line == "+4570200000"  # DID 70200000, national format
    assert offered.caller_number == "+4586123456"
    assert offered.caller_postcode is None  # keyed in the IVR after the call arrived
    assert offered.queue is None  # not in a queue yet
    assert offered.origin is Origin.IMPORT
    assert offered.source == "asterisk-queue-log"
    assert calls[TRANSFERRED][0].caller_number == "+4520304050"  # 00-prefixed international form


def test_enterqueue_is_queued_and_carries_what_the_ivr_collected(
    calls: dict[str, list[CallEventV2]],
) -> None:
    queued = calls[ANSWERED][1]
    assert queued.type is EventType.QUEUED
    assert queued.caller_postcode == "8000"  # INFO|POSTCODE|8000
    assert queued.ivr_choice == "2"  # INFO|IVRCHOICE|2
    assert queued.queue == "hotline"
    assert queued.caller_number == "+4586123456"  # ENTERQUEUE data2


def test_connect_is_answered_by_the_agent(calls: dict[str, list[CallEventV2]]) -> None:
    answered = calls[ANSWERED][2]
    assert answered.type is EventType.ANSWERED
    assert answered.agent_id == "agent-01"
    assert answered.occurred_at == at("2012-12-03T18:30:26+01:00")
    assert calls[TRANSFERRED][2].agent_id == "Agent/1003"  # a chan_agent member


def test_completecaller_ends_with_caller_hangup_and_the_wrap_up_code(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[ANSWERED]) == [
        ("offered", None),
        ("queued", None),
        ("answered", None),
        ("ended", "caller_hangup"),
    ]
    ended = calls[ANSWERED][3]
    assert ended.wrap_up_code == "MITID"  # INFO|WRAPUPCODE before the end
    assert ended.agent_id == "agent-01"
    assert ended.caller_postcode == "8000"


def test_completeagent_ends_with_agent_hangup_and_a_late_code_adds_an_end_carrying_it(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[AGENT_ENDS]) == [
        ("offered", None),
        ("queued", None),
        ("answered", None),
        ("ended", "agent_hangup"),
        ("ended", "agent_hangup"),  # INFO|WRAPUPCODE|SKAT 20 s after the end
    ]
    first, late = calls[AGENT_ENDS][3], calls[AGENT_ENDS][4]
    assert first.wrap_up_code is None
    assert late.wrap_up_code == "SKAT"
    assert late.occurred_at > first.occurred_at
    assert calls[AGENT_ENDS][2].agent_id == "agent-04"


@pytest.mark.parametrize("call", [TRANSFERRED, WITHHELD])
def test_transfers_end_the_call_with_reason_transfer(
    calls: dict[str, list[CallEventV2]], call: str
) -> None:
    assert kinds(calls[call])[-1] == ("ended", "transfer")  # TRANSFER (1.8), BLINDTRANSFER


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (ABANDONED, "caller_hangup"),  # ABANDON
        (TIMED_OUT, "queue_timeout"),  # EXITWITHTIMEOUT
        (LEFT_WITH_KEY, "queue_key"),  # EXITWITHKEY
        (NO_AGENTS, "queue_empty"),  # EXITEMPTY
    ],
)
def test_queue_exits_are_abandoned_then_ended_at_the_hangup_with_their_reason(
    calls: dict[str, list[CallEventV2]], call: str, reason: str
) -> None:
    assert kinds(calls[call]) == [
        ("offered", None),
        ("queued", None),
        ("abandoned", reason),
        ("ended", reason),
    ]


def test_timeout_keeps_its_real_end(calls: dict[str, list[CallEventV2]]) -> None:
    _, queued, abandoned, ended = calls[TIMED_OUT]
    assert (abandoned.occurred_at - queued.occurred_at).total_seconds() == 600
    assert (ended.occurred_at - abandoned.occurred_at).total_seconds() == 19  # message, hangup


def test_a_hangup_in_the_menu_is_abandoned_and_ended_without_a_queue(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[MENU_HANGUP]) == [
        ("offered", None),
        ("abandoned", "caller_hangup"),
        ("ended", "caller_hangup"),
    ]
    assert all(e.queue is None for e in calls[MENU_HANGUP])
    assert calls[MENU_HANGUP][1].caller_postcode == "8000"


def test_closed_message_played_to_the_end_is_ended_closed(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert kinds(calls[CLOSED]) == [("offered", None), ("ended", "closed")]  # HANGUP adds nothing
    assert calls[CLOSED][1].ivr_choice == "2"
    # Hung up during the closed message: the caller ended it.
    assert kinds(calls[CLOSED_HANGUP]) == [
        ("offered", None),
        ("abandoned", "caller_hangup"),
        ("ended", "caller_hangup"),
    ]


def test_withheld_caller_and_a_postcode_that_is_no_postcode(
    calls: dict[str, list[CallEventV2]],
) -> None:
    assert all(e.caller_number is None for e in calls[WITHHELD])  # empty DID data2, "anonymous"
    assert calls[WITHHELD][1].caller_postcode == "8O00"  # kept as keyed; enrich maps it to nothing


def test_ring_no_answer_is_an_agent_event_for_the_call(agents: list[AgentEvent]) -> None:
    (rna,) = [a for a in agents if a.type is AgentEventType.RING_NO_ANSWER]
    assert rna.agent_id == "agent-02"
    assert rna.call_id == f"asterisk:{AGENT_ENDS}"
    assert rna.queue == "hotline"


def test_member_lines_are_log_ins_and_log_outs(agents: list[AgentEvent]) -> None:
    def of(kind: AgentEventType) -> list[tuple[str, str | None]]:
        return [(a.agent_id, a.queue) for a in agents if a.type is kind]

    assert of(AgentEventType.LOGGED_IN) == [
        ("agent-01", "hotline"),
        ("agent-02", "hotline"),
        ("Agent/1003", None),  # AGENTLOGIN: queue NONE
        ("agent-04", "hotline"),  # ADDMEMBER|PAUSED: logged in ...
    ]
    assert of(AgentEventType.LOGGED_OUT) == [
        ("agent-04", "hotline"),
        ("agent-02", "hotline"),
        ("agent-01", "hotline"),
        ("Agent/1003", None),
    ]


def test_pauses_carry_their_reason_and_after_call_work_is_wrap_up(
    agents: list[AgentEvent],
) -> None:
    pauses = [
        (a.agent_id, a.type.value, a.reason, a.call_id)
        for a in agents
        if a.type
        in {
            AgentEventType.PAUSED,
            AgentEventType.UNPAUSED,
            AgentEventType.WRAP_UP_STARTED,
            AgentEventType.WRAP_UP_ENDED,
        }
    ]
    assert pauses == [
        ("agent-04", "paused", None, None),  # ... and paused
        ("agent-04", "unpaused", None, None),
        ("agent-01", "wrap_up_started", None, f"asterisk:{ANSWERED}"),  # PAUSE|ACW after A
        ("agent-01", "wrap_up_ended", None, f"asterisk:{ANSWERED}"),
        ("agent-02", "paused", "break", None),
        ("agent-02", "unpaused", "break", None),
        ("agent-01", "paused", "meeting", None),  # PAUSEALL
        ("agent-01", "unpaused", None, None),  # UNPAUSEALL
    ]


def test_lines_that_are_not_calls_are_skipped_with_their_reason(
    results: list[Converted],
) -> None:
    assert [r.skipped for r in results if r.skipped] == [
        "QUEUESTART: not a call or agent state",
        "CONFIGRELOAD: not a call or agent state",
        "RINGCANCELED: not a call or agent state",
        "INFO|SURVEY: keyword not used",
        "ENTERQUEUE with callid NONE: not a call",
    ]


def test_malformed_lines_are_rejected_with_their_line_number_and_the_rest_goes_on(
    results: list[Converted],
) -> None:
    rejected = [(r.line, r.rejected.reason) for r in results if r.rejected]
    assert rejected == [
        (55, "time is not Unix seconds: '19:41:07'"),
        (56, "expected at least 5 |-separated fields (time|callid|queue|agent|event), got 3"),
    ]
    assert any(r.events for r in results if r.line > 56)


def test_every_event_is_valid_v2_and_ids_are_unique(results: list[Converted]) -> None:
    events = [e for r in results for e in r.events]
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))
    for event in events:
        if isinstance(event, CallEventV2):
            assert parse_call_event(event.model_dump_json()) == event
        else:
            assert AgentEvent.model_validate_json(event.model_dump_json()) == event
        assert len(event.event_id) <= 128


def test_reading_again_gives_the_same_ids(results: list[Converted]) -> None:
    again = convert()
    assert [e.event_id for r in again for e in r.events] == [
        e.event_id for r in results for e in r.events
    ]


def test_a_rotated_file_and_a_resumed_run_give_the_same_events(
    results: list[Converted], tmp_path: Path
) -> None:
    # Rotation: the older half in queue_log.1, the rest in a new queue_log; and a run that
    # stops after the first file and resumes with its saved state in a new adapter.
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    (tmp_path / "queue_log.1").write_bytes(b"".join(lines[:40]))
    (tmp_path / "queue_log").write_bytes(b"".join(lines[40:]))
    first = QueueLogAdapter()
    part1 = convert(tmp_path / "queue_log.1", first)
    resumed = QueueLogAdapter()
    resumed.restore(first.state())
    part2 = convert(tmp_path / "queue_log", resumed)
    assert [e for r in part1 + part2 for e in r.events] == [e for r in results for e in r.events]


def test_the_info_keywords_are_configurable() -> None:
    options = QueueLogOptions(postcode_key="PNR", ivr_choice_key="MENU", hangup_key="BYE")
    adapter = QueueLogAdapter(options, origin=Origin.LIVE)
    lines = [
        "1354555805|9.1|hotline|NONE|DID|70200000|86123456",
        "1354555812|9.1|hotline|NONE|INFO|PNR|8000",
        "1354555818|9.1|hotline|NONE|INFO|MENU|2",
        "1354555819|9.1|hotline|NONE|INFO|POSTCODE|9999",
        "1354555820|9.1|hotline|NONE|INFO|BYE",
    ]
    out = [adapter.convert(n, line) for n, line in enumerate(lines, 1)]
    assert out[3].skipped == "INFO|POSTCODE: keyword not used"
    _, ended = out[4].events
    assert isinstance(ended, CallEventV2)
    assert (ended.caller_postcode, ended.ivr_choice) == ("8000", "2")
    assert ended.end_reason is EndReason.CALLER_HANGUP
    assert ended.origin is Origin.LIVE


def test_an_event_outside_the_contract_window_is_rejected_naming_the_field() -> None:
    result = QueueLogAdapter().convert(1, "4102444800|9.2|hotline|NONE|DID|70200000|")
    assert result.rejected is not None  # 2100-01-01: after the contract's window
    assert [e["field"] for e in result.rejected.errors] == ["occurred_at"]
