"""Asterisk `queue_log` -> CallEventV2 and AgentEvent (pure; stateful per call and agent).

The file (`/var/log/asterisk/queue_log`, written by app_queue through `ast_queue_log()` and by
the dialplan's `QueueLog()` application) has one event per line:

    unix_seconds|callid|queue|agent|EVENT|data1|data2|...

`callid` is the caller channel's uniqueid (`1354558201.123`) for call events, `NONE` (or
`MANAGER`, `CLI`, `REALTIME`) for queue and member administration; `agent` is the member name,
`NONE` when no agent is involved. Times are whole Unix seconds (UTC), written when the line is.

Call lines, field by field. Every event carries what is known of the call so far (dialled
line, caller number, the postcode and menu choice keyed in the IVR, queue, agent):

- `DID` (written by the dialplan) -> `offered`: data1 = number dialled (`line`), data2 =
  caller id (our dialplan line adds it, so menu hang-ups have a caller too);
- `INFO|POSTCODE|8000`, `INFO|IVRCHOICE|2` (dialplan) -> no event: `caller_postcode` and
  `ivr_choice` of the call's later events;
- `INFO|WRAPUPCODE|X` (dialplan) -> `wrap_up_code` of the call's end; a code that arrives
  after the end gives an `ended` event carrying it (the record keeps the earliest end time);
- `ENTERQUEUE` -> `queued`: data2 = caller id (`caller_number`); `queue` from here on;
- `CONNECT` -> `answered`: `agent_id` = the agent field (data1 = hold time);
- `COMPLETECALLER` / `COMPLETEAGENT` -> `ended`, end_reason caller_hangup / agent_hangup;
- `TRANSFER`, `BLINDTRANSFER`, `ATTENDEDTRANSFER` -> `ended`, end_reason transfer;
- `ABANDON` -> `abandoned`, caller_hangup (hung up while queued); `EXITWITHTIMEOUT` ->
  queue_timeout; `EXITWITHKEY` -> queue_key; `EXITEMPTY` -> queue_empty (no agents);
  `WITHDRAW` -> system;
- `INFO|CLOSED` (dialplan, after the closed message played to its end) -> `ended`, closed;
- `INFO|HANGUP` (dialplan `h` extension: every call's real end) -> `ended` with the reason
  of the call's abandon; a call neither answered nor abandoned was hung up by the caller in
  the menu: `abandoned` + `ended`, caller_hangup. After COMPLETE*/TRANSFER/CLOSED: nothing;
- `RINGNOANSWER` -> AgentEvent `ring_no_answer` (the call rang the agent, who did not pick
  up; data1 = ring time in ms).

Agent lines -> AgentEvent (`queue` = the line's queue, null for `NONE`):

- `AGENTLOGIN`, `AGENTCALLBACKLOGIN`, `ADDMEMBER` -> `logged_in` (`ADDMEMBER|PAUSED`: also
  `paused`); `AGENTLOGOFF`, `AGENTCALLBACKLOGOFF`, `REMOVEMEMBER` -> `logged_out`;
- `PAUSE`, `PAUSEALL` -> `paused`, reason = data1; with an after-call-work reason (`ACW`,
  configurable) -> `wrap_up_started`, call_id = the agent's last answered call;
- `UNPAUSE`, `UNPAUSEALL` -> `unpaused`; ending after-call work -> `wrap_up_ended`.

Skipped (counted, not errors): `QUEUESTART`, `CONFIGRELOAD`, `PENALTY`, `RINGINUSE`,
`RINGCANCELED`, `AGENTDUMP`, `SYSCOMPAT`, `OUTCALL`, other verbs, call verbs with callid
`NONE`, and INFO lines with a keyword we do not use. Rejected: fewer than five fields, a time
that is not Unix seconds, an empty callid, or an event the contract refuses (e.g. a time
outside 2000-2100).

The INFO keywords are configurable (`QueueLogOptions`); `docs/providers.md` lists the
`QueueLog()` lines the telephony administrator adds to the dialplan.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from hotline_providers import ids
from hotline_providers.model import Converted, Event, RecordError, build, guarded
from hotline_providers.numbers import e164
from hotline_schemas import AgentEvent, AgentEventType, CallEventV2, EndReason, EventType, Origin

SOURCE = "asterisk-queue-log"

# callids that mark administration, not a caller's channel.
NOT_A_CALL = frozenset({"NONE", "MANAGER", "CLI", "REALTIME", ""})
_ABANDONS = {
    "ABANDON": EndReason.CALLER_HANGUP,
    "EXITWITHTIMEOUT": EndReason.QUEUE_TIMEOUT,
    "EXITWITHKEY": EndReason.QUEUE_KEY,
    "EXITEMPTY": EndReason.QUEUE_EMPTY,
    "WITHDRAW": EndReason.SYSTEM,
}
_ENDS = {
    "COMPLETECALLER": EndReason.CALLER_HANGUP,
    "COMPLETEAGENT": EndReason.AGENT_HANGUP,
    "TRANSFER": EndReason.TRANSFER,
    "BLINDTRANSFER": EndReason.TRANSFER,
    "ATTENDEDTRANSFER": EndReason.TRANSFER,
}
_LOGINS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"})
_LOGOFFS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF", "REMOVEMEMBER"})
_PAUSES = frozenset({"PAUSE", "PAUSEALL"})
_UNPAUSES = frozenset({"UNPAUSE", "UNPAUSEALL"})
_CALL_VERBS = frozenset(
    {"DID", "ENTERQUEUE", "CONNECT", "INFO", "RINGNOANSWER", *_ABANDONS, *_ENDS}
)
_SWEEP_EVERY = 2000  # lines between looks for calls to forget


@dataclass(frozen=True)
class QueueLogOptions:
    call_id_prefix: str = "asterisk"
    postcode_key: str = "POSTCODE"
    ivr_choice_key: str = "IVRCHOICE"
    wrap_up_key: str = "WRAPUPCODE"
    closed_key: str = "CLOSED"
    hangup_key: str = "HANGUP"
    # Pause reasons that mean after-call work (compared case-insensitively).
    wrap_up_pause_reasons: frozenset[str] = frozenset({"ACW"})
    line: str = "+4570200000"  # the hotline's number, when a DID line does not give one
    country_code: str = "45"
    # Log time after which a call's context is forgotten: an ended call's (only a late
    # WRAPUPCODE or HANGUP line can still follow), and a call that never ended.
    forget_ended_after_s: int = 3600
    forget_calls_after_s: int = 24 * 3600


@dataclass
class _Call:
    line: str
    caller: str | None = None
    postcode: str | None = None
    ivr_choice: str | None = None
    queue: str | None = None
    agent: str | None = None
    wrap_up: str | None = None
    answered: bool = False
    abandoned: str | None = None  # the EndReason value of the abandon
    ended: str | None = None  # the EndReason value of the end
    seen: int = 0  # Unix seconds of the call's latest line


@dataclass
class _Agent:
    last_call: str | None = None  # pipeline call_id of the last call the agent answered
    in_wrap_up: bool = False


@dataclass(frozen=True)
class _Line:
    at: datetime
    callid: str
    queue: str | None
    agent: str | None
    verb: str
    data: tuple[str, ...]
    digest: str

    def field(self, n: int) -> str:
        """data1 is field(1); empty when the line has fewer fields."""
        return self.data[n - 1].strip() if len(self.data) >= n else ""


def parse_time(text: str) -> datetime:
    """Unix seconds (optionally with a fraction) -> an exact UTC instant."""
    whole, dot, frac = text.strip().partition(".")
    if not whole.isdigit() or (dot and not frac.isdigit()):
        raise RecordError(f"time is not Unix seconds: {text.strip()[:40]!r}")
    try:
        instant = datetime.fromtimestamp(int(whole), UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise RecordError(f"time out of range: {text.strip()[:40]!r}") from exc
    return instant.replace(microsecond=int(frac[:6].ljust(6, "0")) if frac else 0)


def _parse(raw: str) -> _Line:
    text = raw.rstrip("\r\n")
    parts = text.split("|")
    if len(parts) < 5:
        raise RecordError(
            f"expected at least 5 |-separated fields (time|callid|queue|agent|event), "
            f"got {len(parts)}"
        )
    at = parse_time(parts[0])
    queue, agent = parts[2].strip(), parts[3].strip()
    return _Line(
        at=at,
        callid=parts[1].strip(),
        queue=None if queue.upper() in {"NONE", ""} else queue,
        agent=None if agent.upper() in {"NONE", ""} else agent,
        verb=parts[4].strip().upper(),
        data=tuple(parts[5:]),
        digest=ids.digest(text),
    )


class QueueLogAdapter:
    """Feed lines in file order (rotated files oldest first); see the module docstring."""

    source = SOURCE

    def __init__(self, options: QueueLogOptions | None = None, origin: Origin = Origin.IMPORT):
        self.options = options or QueueLogOptions()
        self.origin = origin
        self._calls: dict[str, _Call] = {}
        self._agents: dict[str, _Agent] = {}
        self._since_sweep = 0
        self._wrap_up_reasons = {r.casefold() for r in self.options.wrap_up_pause_reasons}

    # -- state for checkpoints ---------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "calls": {k: asdict(v) for k, v in self._calls.items()},
            "agents": {k: asdict(v) for k, v in self._agents.items()},
        }

    def restore(self, state: dict[str, Any]) -> None:
        self._calls = {k: _Call(**v) for k, v in state.get("calls", {}).items()}
        self._agents = {k: _Agent(**v) for k, v in state.get("agents", {}).items()}

    # -- conversion --------------------------------------------------------------------------

    def convert(self, line: int, raw: str) -> Converted:
        return guarded(line, raw, lambda: self._convert(line, raw))

    def _convert(self, line: int, raw: str) -> Converted:
        parsed = _parse(raw)
        self._sweep(parsed.at)
        verb = parsed.verb
        if verb in _LOGINS or verb in _LOGOFFS or verb in _PAUSES or verb in _UNPAUSES:
            return Converted(line, raw, events=self._agent_line(parsed))
        if verb not in _CALL_VERBS:
            return Converted(line, raw, skipped=f"{verb or '(empty)'}: not a call or agent state")
        if parsed.callid.upper() in NOT_A_CALL:
            if not parsed.callid:
                raise RecordError(f"{verb} line without a callid")
            return Converted(line, raw, skipped=f"{verb} with callid {parsed.callid}: not a call")
        if verb == "RINGNOANSWER":
            return Converted(line, raw, events=self._ring_no_answer(parsed))
        if verb == "INFO":
            return self._info(line, raw, parsed)
        return Converted(line, raw, events=self._call_line(parsed))

    def _call(self, parsed: _Line) -> tuple[str, _Call]:
        call_id = ids.call_id(self.options.call_id_prefix, parsed.callid)
        call = self._calls.get(call_id)
        if call is None:
            call = self._calls[call_id] = _Call(line=self.options.line)
        call.seen = int(parsed.at.timestamp())
        return call_id, call

    def _call_line(self, parsed: _Line) -> tuple[Event, ...]:
        call_id, call = self._call(parsed)
        verb = parsed.verb
        if verb == "DID":
            call.line = e164(parsed.field(1), self.options.country_code) or call.line
            call.caller = e164(parsed.field(2), self.options.country_code) or call.caller
            return (self._event(parsed, call_id, call, EventType.OFFERED),)
        if verb == "ENTERQUEUE":
            call.caller = e164(parsed.field(2), self.options.country_code) or call.caller
            call.queue = parsed.queue
            return (self._event(parsed, call_id, call, EventType.QUEUED),)
        if verb == "CONNECT":
            call.answered = True
            call.agent = parsed.agent
            call.queue = call.queue or parsed.queue
            if parsed.agent is not None:
                self._agents.setdefault(parsed.agent, _Agent()).last_call = call_id
            return (self._event(parsed, call_id, call, EventType.ANSWERED),)
        if verb in _ABANDONS:
            call.abandoned = _ABANDONS[verb].value
            call.queue = call.queue or parsed.queue
            return (self._event(parsed, call_id, call, EventType.ABANDONED, _ABANDONS[verb]),)
        # COMPLETECALLER, COMPLETEAGENT, the transfers.
        call.ended = _ENDS[verb].value
        call.agent = call.agent or parsed.agent
        return (self._event(parsed, call_id, call, EventType.ENDED, _ENDS[verb]),)

    def _info(self, line: int, raw: str, parsed: _Line) -> Converted:
        options = self.options
        key, value = parsed.field(1).upper(), parsed.field(2)
        if key not in {
            options.postcode_key.upper(),
            options.ivr_choice_key.upper(),
            options.wrap_up_key.upper(),
            options.closed_key.upper(),
            options.hangup_key.upper(),
        }:
            return Converted(line, raw, skipped=f"INFO|{key or '(empty)'}: keyword not used")
        call_id, call = self._call(parsed)
        events: tuple[Event, ...] = ()
        if key == options.postcode_key.upper():
            call.postcode = value or None
        elif key == options.ivr_choice_key.upper():
            call.ivr_choice = value or None
        elif key == options.wrap_up_key.upper():
            call.wrap_up = value or None
            if call.ended is not None and call.wrap_up is not None:
                # The code came after the end: an `ended` event that carries it (the record
                # keeps the earliest end time and takes the code from the latest one).
                reason = EndReason(call.ended)
                events = (self._event(parsed, call_id, call, EventType.ENDED, reason),)
        elif key == options.closed_key.upper():
            if call.ended is None:
                call.ended = EndReason.CLOSED.value
                events = (self._event(parsed, call_id, call, EventType.ENDED, EndReason.CLOSED),)
        elif call.ended is None:  # HANGUP: the channel's real end
            events = self._hangup(parsed, call_id, call)
        return Converted(line, raw, events=events)

    def _hangup(self, parsed: _Line, call_id: str, call: _Call) -> tuple[Event, ...]:
        if call.abandoned is not None:
            reason = EndReason(call.abandoned)
            call.ended = call.abandoned
            return (self._event(parsed, call_id, call, EventType.ENDED, reason),)
        if call.answered:
            # Answered, but app_queue logged no COMPLETE* (e.g. a transfer it did not see).
            call.ended = EndReason.SYSTEM.value
            return (self._event(parsed, call_id, call, EventType.ENDED, EndReason.SYSTEM),)
        # Never answered, never left the queue: the caller hung up in the menu.
        call.abandoned = call.ended = EndReason.CALLER_HANGUP.value
        gone = EndReason.CALLER_HANGUP
        return (
            self._event(parsed, call_id, call, EventType.ABANDONED, gone),
            self._event(parsed, call_id, call, EventType.ENDED, gone),
        )

    def _event(
        self,
        parsed: _Line,
        call_id: str,
        call: _Call,
        kind: EventType,
        end_reason: EndReason | None = None,
    ) -> CallEventV2:
        with_agent = kind in {EventType.ANSWERED, EventType.ENDED}
        return build(
            CallEventV2,
            schema_version=2,
            event_id=ids.event_id(SOURCE, parsed.callid, kind.value, parsed.digest),
            call_id=call_id,
            type=kind,
            occurred_at=parsed.at,
            line=call.line,
            caller_number=call.caller,
            caller_postcode=call.postcode,
            ivr_choice=call.ivr_choice,
            wrap_up_code=call.wrap_up if kind is EventType.ENDED else None,
            agent_id=call.agent if with_agent else None,
            queue=call.queue,
            end_reason=end_reason,
            origin=self.origin,
            source=SOURCE,
        )

    # -- agents ------------------------------------------------------------------------------

    def _ring_no_answer(self, parsed: _Line) -> tuple[Event, ...]:
        if parsed.agent is None:
            raise RecordError("RINGNOANSWER line without an agent")
        call_id, _ = self._call(parsed)
        return (self._agent_event(parsed, AgentEventType.RING_NO_ANSWER, call_id=call_id),)

    def _agent_line(self, parsed: _Line) -> tuple[Event, ...]:
        if parsed.agent is None:
            raise RecordError(f"{parsed.verb} line without an agent")
        agent = self._agents.setdefault(parsed.agent, _Agent())
        verb, reason = parsed.verb, parsed.field(1) or None
        if verb in _LOGINS:
            events = [self._agent_event(parsed, AgentEventType.LOGGED_IN)]
            if verb == "ADDMEMBER" and (reason or "").upper() == "PAUSED":
                events.append(self._agent_event(parsed, AgentEventType.PAUSED))
            return tuple(events)
        if verb in _LOGOFFS:
            agent.in_wrap_up = False
            return (self._agent_event(parsed, AgentEventType.LOGGED_OUT),)
        wrap_up = reason is not None and reason.casefold() in self._wrap_up_reasons
        if verb in _PAUSES:
            agent.in_wrap_up = wrap_up
            if wrap_up:
                kind = AgentEventType.WRAP_UP_STARTED
                return (self._agent_event(parsed, kind, call_id=agent.last_call),)
            return (self._agent_event(parsed, AgentEventType.PAUSED, reason=reason),)
        if agent.in_wrap_up or wrap_up:  # UNPAUSE after after-call work
            agent.in_wrap_up = False
            kind = AgentEventType.WRAP_UP_ENDED
            return (self._agent_event(parsed, kind, call_id=agent.last_call),)
        return (self._agent_event(parsed, AgentEventType.UNPAUSED, reason=reason),)

    def _agent_event(
        self,
        parsed: _Line,
        kind: AgentEventType,
        *,
        reason: str | None = None,
        call_id: str | None = None,
    ) -> AgentEvent:
        agent = parsed.agent or ""
        return build(
            AgentEvent,
            schema_version=1,
            event_id=ids.event_id(SOURCE, agent, kind.value, parsed.digest),
            agent_id=agent,
            type=kind,
            occurred_at=parsed.at,
            queue=parsed.queue,
            reason=reason,
            call_id=call_id,
            origin=self.origin,
            source=SOURCE,
        )

    def _sweep(self, now: datetime) -> None:
        """Forget calls nothing more is expected of: keeps the state (and every checkpoint)
        to the calls of the last hour or so, however long the file."""
        self._since_sweep += 1
        if self._since_sweep < _SWEEP_EVERY:
            return
        self._since_sweep = 0
        now_s = int(now.timestamp())
        ended = now_s - self.options.forget_ended_after_s
        idle = now_s - self.options.forget_calls_after_s
        self._calls = {
            k: c
            for k, c in self._calls.items()
            if c.seen >= (ended if c.ended is not None else idle)
        }
