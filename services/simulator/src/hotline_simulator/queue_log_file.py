"""A simulated evening written as Asterisk's `queue_log`, as the hotline's PBX would (pure).

What app_queue writes itself (ENTERQUEUE, CONNECT, COMPLETECALLER/COMPLETEAGENT, ABANDON,
RINGNOANSWER, ADDMEMBER/REMOVEMEMBER, PAUSE/UNPAUSE) follows Asterisk's formats; the rest are
the dialplan's `QueueLog()` lines documented in docs/providers.md: DID at the start of the
call, INFO|POSTCODE and INFO|IVRCHOICE from the IVR, INFO|WRAPUPCODE from the agent's
disposition, INFO|CLOSED after the closed message, INFO|HANGUP from the `h` extension. Times
are whole Unix seconds, as Asterisk writes them. After-call work is a PAUSE|ACW ... UNPAUSE|ACW
pair, the practice of QueueMetrics-style setups.

This is the simulator's own rendering of the format, written from the documentation: the
provider adapter (hotline_providers) parses it independently, and the end-to-end test checks
that both paths give the same call records.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hotline_schemas import AgentEvent, AgentEventType, CallEvent, EventType

DID = "70200000"
ACW = "ACW"
HANGUP_CAUSE = "16"  # Q.850 normal clearing


@dataclass(frozen=True)
class QueueLog:
    lines: list[str]
    uniqueids: dict[str, str]  # the simulator's call_id -> the Asterisk uniqueid of the call


def _ts(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def _national(number: str | None) -> str:
    # Asterisk writes the caller id as the trunk delivers it: Danish numbers without +45.
    if number is None:
        return ""
    return number.removeprefix("+45")


def _caller_hung_up(call_id: str) -> bool:
    # Who ended an answered call: a stable coin per call (70 % the caller).
    return hashlib.sha256(call_id.encode()).digest()[0] < 179


class _Writer:
    def __init__(self) -> None:
        self.lines: list[tuple[int, int, str]] = []  # (time, order written, line)

    def add(self, moment: datetime, *fields: str) -> None:
        ts = _ts(moment)
        self.lines.append((ts, len(self.lines), "|".join([str(ts), *fields])))


def render(calls: Sequence[CallEvent], agents: Sequence[AgentEvent]) -> QueueLog:
    """The queue_log lines of one or more simulated evenings, in time order."""
    by_call: dict[str, list[CallEvent]] = defaultdict(list)
    for event in calls:
        by_call[event.call_id].append(event)
    rings: dict[str, list[AgentEvent]] = defaultdict(list)
    for agent_event in agents:
        if agent_event.type is AgentEventType.RING_NO_ANSWER and agent_event.call_id:
            rings[agent_event.call_id].append(agent_event)
    writer = _Writer()
    uniqueids: dict[str, str] = {}
    ordered = sorted(by_call.values(), key=lambda e: (e[0].occurred_at, e[0].call_id))
    for n, events in enumerate(ordered, start=1):
        uniqueid = f"{_ts(events[0].occurred_at)}.{n}"
        uniqueids[events[0].call_id] = uniqueid
        _call(writer, uniqueid, events, rings.get(events[0].call_id, []))
    _agents(writer, agents)
    writer.lines.sort()
    return QueueLog([line for _, _, line in writer.lines], uniqueids)


def _call(w: _Writer, uid: str, events: list[CallEvent], rings: Iterable[AgentEvent]) -> None:
    kinds = {e.type: e for e in events}
    offered, first = kinds.get(EventType.OFFERED), events[0]
    queue = "hotline"
    w.add(first.occurred_at, uid, queue, "NONE", "DID", DID, _national(first.caller_number))
    after = events[1] if len(events) > 1 else first
    ivr = after.occurred_at - first.occurred_at
    if offered is not None and (first.caller_postcode is not None or first.ivr_choice is not None):
        # The IVR collects postcode then menu choice between arrival and the next step.
        pc = first.caller_postcode or ""
        w.add(first.occurred_at + ivr * 0.4, uid, queue, "NONE", "INFO", "POSTCODE", pc)
        choice = first.ivr_choice or ""
        w.add(first.occurred_at + ivr * 0.8, uid, queue, "NONE", "INFO", "IVRCHOICE", choice)
    queued = kinds.get(EventType.QUEUED)
    answered = kinds.get(EventType.ANSWERED)
    abandoned = kinds.get(EventType.ABANDONED)
    ended = kinds.get(EventType.ENDED)
    caller = _national(first.caller_number)
    if queued is not None:
        w.add(queued.occurred_at, uid, queue, "NONE", "ENTERQUEUE", "", caller or "", "1")
        for ring in rings:
            w.add(ring.occurred_at, uid, queue, ring.agent_id, "RINGNOANSWER", "15000")
    if answered is not None and queued is not None and ended is not None:
        agent = answered.agent_id or "NONE"
        hold = str(_ts(answered.occurred_at) - _ts(queued.occurred_at))
        talk = str(_ts(ended.occurred_at) - _ts(answered.occurred_at))
        w.add(answered.occurred_at, uid, queue, agent, "CONNECT", hold, f"{uid}1", "3")
        if ended.wrap_up_code is not None:
            w.add(ended.occurred_at, uid, queue, "NONE", "INFO", "WRAPUPCODE", ended.wrap_up_code)
        verb = "COMPLETECALLER" if _caller_hung_up(first.call_id) else "COMPLETEAGENT"
        w.add(ended.occurred_at, uid, queue, agent, verb, hold, talk, "1")
        w.add(ended.occurred_at, uid, queue, "NONE", "INFO", "HANGUP", HANGUP_CAUSE)
        return
    if abandoned is not None and queued is not None:
        wait = str(_ts(abandoned.occurred_at) - _ts(queued.occurred_at))
        w.add(abandoned.occurred_at, uid, queue, "NONE", "ABANDON", "1", "1", wait)
        if ended is not None:
            w.add(ended.occurred_at, uid, queue, "NONE", "INFO", "HANGUP", HANGUP_CAUSE)
        return
    if abandoned is not None:  # hung up in the menu or during the closed message
        w.add(abandoned.occurred_at, uid, queue, "NONE", "INFO", "HANGUP", HANGUP_CAUSE)
        return
    if ended is not None:  # the closed message played to its end
        w.add(ended.occurred_at, uid, queue, "NONE", "INFO", "CLOSED")
        w.add(ended.occurred_at, uid, queue, "NONE", "INFO", "HANGUP", HANGUP_CAUSE)


def _agents(w: _Writer, agents: Iterable[AgentEvent]) -> None:
    for event in agents:
        queue, agent = event.queue or "hotline", event.agent_id
        if event.type is AgentEventType.LOGGED_IN:
            w.add(event.occurred_at, "MANAGER", queue, agent, "ADDMEMBER", "")
        elif event.type is AgentEventType.LOGGED_OUT:
            w.add(event.occurred_at, "MANAGER", queue, agent, "REMOVEMEMBER", "")
        elif event.type is AgentEventType.PAUSED:
            w.add(event.occurred_at, "NONE", queue, agent, "PAUSE", event.reason or "")
        elif event.type is AgentEventType.UNPAUSED:
            w.add(event.occurred_at, "NONE", queue, agent, "UNPAUSE", event.reason or "")
        elif event.type is AgentEventType.WRAP_UP_STARTED:
            w.add(event.occurred_at, "NONE", queue, agent, "PAUSE", ACW)
        elif event.type is AgentEventType.WRAP_UP_ENDED:
            w.add(event.occurred_at, "NONE", queue, agent, "UNPAUSE", ACW)
        # RINGNOANSWER lines belong to their call (written with it).
