"""Call records from call states: pure functions, no Faust.

Definitions are `hotline_schemas.kpi`'s (see also `hotline_schemas.records`): each type's
earliest event gives its time; menu, wait and talk seconds and the outcome (answered, closed,
no_agent, left_queue, menu_hangup, short_abandon, abandoned) come from `kpi.CallTimes` and
`kpi.outcome_of`, with the short-abandon threshold of the business rules
(HOTLINE_RULES__SHORT_ABANDON_SECONDS). The end reason is that of the earliest abandoned or
ended event that carries one (v2 events).

- within_hours is the `offered` event's (decided at the offered time by enrichment); with no
  offered event, the earliest event's.
- topic: the end event's wrap-up topic, else the latest wrap-up topic, else the latest IVR
  topic, else the latest event's topic. Place and caller: the offered event's when it carries
  a postcode, else the earliest event that does.

When: a record is due once the call has an `ended` event, or once it timed out. Time-outs use
STREAM time, never the wall clock: a partition's watermark is the latest `occurred_at` seen
on it, and a call whose last event is `call_timeout_seconds` older than the watermark is
closed (flagged `closed_by_timeout`). A replay of 2012 history therefore times out exactly as
the live stream did; the price is that a quiet partition closes its calls only when its next
event arrives. A late event that changes the record re-emits it.

`version` is the number of distinct events in the state: a re-emission always follows a new
event, so it grows; a state rebuilt from a straggler after its call was forgotten (retention)
has fewer events and never replaces the complete record in ClickHouse.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hotline_enrich.call_state import CallState
from hotline_schemas import CallRecord, EnrichedEvent, EventType, Origin, kpi

_TOPIC_RANK = {"wrap_up_code": 2, "ivr_choice": 1, "none": 0}
_VOLATILE = frozenset({"version", "updated_at"})


_DUE_AT_ONCE = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RecordConfig:
    short_abandon_seconds: float = kpi.SHORT_ABANDON_S
    call_timeout_seconds: float = 4 * 3600.0
    # How long (stream time) a closed call's state is kept for late events before it is deleted.
    retention_seconds: float = 24 * 3600.0
    # Look for timed-out and expired calls when the watermark moved this far (stream time).
    sweep_interval_seconds: float = 60.0


@dataclass(frozen=True)
class Step:
    """A new state (None: delete it) and the record to emit, if any."""

    state: CallState | None
    record: CallRecord | None
    changed: bool


def _at(event: EnrichedEvent | None) -> datetime | None:
    return None if event is None else event.occurred_at


def _topic_event(state: CallState, ended: EnrichedEvent | None) -> EnrichedEvent:
    if ended is not None and ended.topic_source == "wrap_up_code":
        return ended
    return max(
        state.events.values(),
        key=lambda e: (_TOPIC_RANK[e.topic_source], e.occurred_at, e.event_id),
    )


def _end_reason(state: CallState) -> EnrichedEvent | None:
    return state.earliest(
        lambda e: e.end_reason is not None and e.type in (EventType.ABANDONED, EventType.ENDED)
    )


def digest(record: CallRecord) -> str:
    """What makes two versions different: everything but version and updated_at."""
    content = record.model_dump_json(exclude=set(_VOLATILE)).encode()
    return hashlib.sha256(content).hexdigest()[:32]


def build_record(state: CallState, config: RecordConfig, now: datetime) -> CallRecord | None:
    """The call's record, or None while the call is still going (no end, not timed out)."""
    ended = state.first(EventType.ENDED)
    earliest = state.earliest()
    if earliest is None or (ended is None and not state.timed_out):
        return None
    offered = state.first(EventType.OFFERED)
    queued = state.first(EventType.QUEUED)
    answered = state.first(EventType.ANSWERED)
    abandoned = state.first(EventType.ABANDONED)
    within_hours = (offered or earliest).within_hours
    reason = _end_reason(state)
    times = kpi.CallTimes(
        offered=_at(offered),
        queued=_at(queued),
        answered=_at(answered),
        abandoned=_at(abandoned),
        ended=_at(ended),
        within_hours=within_hours,
        end_reason=None if reason is None or reason.end_reason is None else reason.end_reason.value,
    )
    thresholds = kpi.Thresholds(short_abandon_s=config.short_abandon_seconds)
    outcome = kpi.outcome_of(times, thresholds, timed_out=state.timed_out)
    assert outcome is not None  # the record is due: an end event or the timeout
    place = (
        offered
        if offered is not None and offered.caller_postcode is not None
        else state.earliest(lambda e: e.caller_postcode is not None) or offered or earliest
    )
    caller = (
        offered
        if offered is not None and offered.caller_key is not None
        else state.earliest(lambda e: e.caller_key is not None)
    )
    topic = _topic_event(state, ended)
    wrap_up = ended if ended is not None and ended.wrap_up_code else None
    wrap_up = wrap_up or state.latest(lambda e: e.wrap_up_code is not None)
    agent = answered if answered is not None and answered.agent_id else None
    agent = agent or state.latest(lambda e: e.agent_id is not None)
    queue = state.earliest(lambda e: e.queue is not None)
    return CallRecord(
        call_id=state.call_id,
        version=len(state.events),
        updated_at=now,
        started_at=_at(offered) or earliest.occurred_at,
        offered_at=_at(offered),
        queued_at=_at(queued),
        answered_at=_at(answered),
        abandoned_at=_at(abandoned),
        ended_at=_at(ended),
        wait_seconds=times.wait_seconds(),
        menu_seconds=times.menu_seconds(),
        talk_seconds=times.talk_seconds(),
        outcome=outcome,
        end_reason=None if reason is None else reason.end_reason,
        closed_reason="ended" if ended is not None else "timeout",
        closed_by_timeout=ended is None,
        within_hours=within_hours,
        topic=topic.topic,
        topic_source=topic.topic_source,
        in_scope=topic.in_scope,
        wrap_up_code=None if wrap_up is None else wrap_up.wrap_up_code,
        queue=None if queue is None else queue.queue,
        agent_id=None if agent is None else agent.agent_id,
        line=(offered or earliest).line,
        municipality_code=place.municipality_code,
        municipality_name=place.municipality_name,
        in_catchment=place.in_catchment,
        caller_postcode=place.caller_postcode,
        caller_key=None if caller is None else caller.caller_key,
        event_count=len(state.events),
        origin=(
            Origin.IMPORT
            if any(e.origin is Origin.IMPORT for e in state.events.values())
            else Origin.LIVE
        ),
        source=(offered or earliest).source,
        # States stored before first_seen_at was kept fall back to the start, as the
        # migration that partitioned call_records did for their rows.
        first_seen_at=state.first_seen_at or _at(offered) or earliest.occurred_at,
    )


def settle(state: CallState, config: RecordConfig, now: datetime) -> Step:
    """Emit the state's record if it differs from what was emitted last."""
    record = build_record(state, config, now)
    if record is None:
        return Step(state, None, changed=False)
    content = digest(record)
    if content == state.emitted_digest:
        return Step(state, None, changed=False)
    settled = state.model_copy(
        update={"emitted_version": record.version, "emitted_digest": content}
    )
    return Step(settled, record, changed=True)


def observe(state: CallState, event: EnrichedEvent, config: RecordConfig, now: datetime) -> Step:
    """Add one event. A duplicate of an emitted call re-sends its record: the duplicate may be
    a replay after a crash that persisted the state but never delivered the record."""
    if state.has(event.event_id):
        resend = build_record(state, config, now) if state.emitted else None
        return Step(state, resend, changed=False)
    grown = state.add(event)
    if grown is state:
        return Step(state, None, changed=False)
    step = settle(grown, config, now)
    return Step(step.state, step.record, changed=True)


def _complete(state: CallState) -> bool:
    return state.first(EventType.ENDED) is not None or state.timed_out


def due(state: CallState, config: RecordConfig) -> datetime | None:
    """The stream time from which :func:`sweep` changes this state; None: never.

    Lets the table skip states with nothing to do without running the sweep on each: an
    open call is due at its time-out, an emitted one when its retention ends.
    """
    last = state.last_event_at()
    if last is None:
        return _DUE_AT_ONCE  # an empty state is deleted
    timeout = timedelta(seconds=config.call_timeout_seconds)
    if not _complete(state):
        return last + timeout
    if not state.emitted:
        return None
    retention = timedelta(seconds=config.retention_seconds)
    return last + retention + (timeout if state.first(EventType.ENDED) is None else timedelta(0))


def sweep(state: CallState, watermark: datetime, config: RecordConfig, now: datetime) -> Step:
    """Time out a call with no end, or forget a closed call after the retention."""
    when = due(state, config)
    if when is None or watermark < when:
        return Step(state, None, changed=False)
    if state.last_event_at() is None:
        return Step(None, None, changed=True)
    if not _complete(state):
        step = settle(state.model_copy(update={"timed_out": True}), config, now)
        return Step(step.state, step.record, changed=True)
    return Step(None, None, changed=True)
