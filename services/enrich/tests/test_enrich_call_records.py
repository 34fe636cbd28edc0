"""Call records from call states: pure, no Faust (order, duplicates, time-outs, outcomes)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_enrich.call_records import RecordConfig, build_record, due, observe, sweep
from hotline_enrich.call_state import CallState
from hotline_enrich.context import load_context
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_enrich.settings import Settings
from hotline_schemas import CallEvent, CallEventV2, CallRecord, EndReason, EnrichedEvent, Outcome

NOW = datetime(2024, 1, 1, tzinfo=UTC)
# Sunday 7 April 2013, 18:40 in Copenhagen (summer time): the hotline is open.
OPEN = datetime(2013, 4, 7, 16, 40, tzinfo=UTC)
# The same Sunday at 12:00 local: closed.
SHUT = datetime(2013, 4, 7, 10, 0, tzinfo=UTC)
CONFIG = RecordConfig()


@pytest.fixture(scope="module")
def ctx() -> EnrichmentContext:
    return load_context(Settings(pseudonym_secret="a-test-secret-of-some-length"))


def _event(
    ctx: EnrichmentContext, call_id: str, type_: str, at: datetime, n: int = 0, **extra: Any
) -> EnrichedEvent:
    fields: dict[str, Any] = {
        "schema_version": 1,
        "event_id": f"{call_id}-{type_}-{n}",
        "call_id": call_id,
        "type": type_,
        "occurred_at": at,
        "line": "+4570200000",
        "caller_number": "+4586123456",
        "caller_postcode": "8000" if type_ == "offered" else None,
        "ivr_choice": "2" if type_ == "offered" else None,
    }
    fields.update(extra)
    return enrich(CallEvent(**fields), ctx, NOW)


def _answered_call(ctx: EnrichmentContext, call_id: str = "c1") -> list[EnrichedEvent]:
    return [
        _event(ctx, call_id, "offered", OPEN),
        _event(ctx, call_id, "queued", OPEN + timedelta(seconds=10), queue="hotline"),
        _event(ctx, call_id, "answered", OPEN + timedelta(seconds=25), agent_id="agent-07"),
        _event(ctx, call_id, "ended", OPEN + timedelta(seconds=325), wrap_up_code="FLYT"),
    ]


def _fold(events: list[EnrichedEvent], config: RecordConfig = CONFIG) -> list[CallRecord]:
    state = CallState(call_id=events[0].call_id, partition=0)
    records = []
    for event in events:
        step = observe(state, event, config, NOW)
        assert step.state is not None
        state = step.state
        if step.record is not None:
            records.append(step.record)
    return records


def test_answered_call_record(ctx: EnrichmentContext) -> None:
    (record,) = _fold(_answered_call(ctx))
    assert record.outcome is Outcome.ANSWERED
    assert record.wait_seconds == 15.0  # from queued
    assert record.talk_seconds == 300.0
    assert record.topic == "moving"  # the end's wrap-up code beats the IVR's digital post
    assert record.topic_source == "wrap_up_code"
    assert record.wrap_up_code == "FLYT"
    assert (record.queue, record.agent_id) == ("hotline", "agent-07")
    assert (record.municipality_code, record.municipality_name) == (751, "Aarhus")
    assert record.caller_postcode == "8000"
    assert record.caller_key is not None
    assert record.within_hours is True
    assert (record.closed_by_timeout, record.closed_reason) == (False, "ended")
    assert record.started_at == OPEN
    assert (record.version, record.event_count) == (4, 4)


def test_every_arrival_order_gives_the_same_record(ctx: EnrichmentContext) -> None:
    events = _answered_call(ctx)
    expected = build_record(
        CallState(call_id="c1", events={e.event_id: e for e in events}), CONFIG, NOW
    )
    assert expected is not None
    for order in itertools.permutations(events):
        records = _fold(list(order))
        # Emitted once the end arrives; re-emitted only as later-arriving events change it.
        assert records, order
        # Everything but first_seen_at, which is the event that happened to arrive first
        # (the partition key in ClickHouse: it must never change once the call is known).
        last = records[-1]
        assert last.first_seen_at == order[0].occurred_at
        assert all(r.first_seen_at == order[0].occurred_at for r in records)
        same = last.model_copy(update={"first_seen_at": expected.first_seen_at})
        assert same == expected, [e.type.value for e in order]


def test_duplicates_change_nothing_but_resend_the_emitted_record(
    ctx: EnrichmentContext,
) -> None:
    events = _answered_call(ctx)
    (once,) = _fold(events)
    records = _fold([events[0], events[0], events[1], events[2], events[1], events[3]])
    assert records == [once]
    # After the record was emitted, a duplicate (a replay after a crash) re-sends it as it is.
    resent = _fold([*events, events[2]])
    assert resent == [once, once]


def test_earliest_time_per_type_wins(ctx: EnrichmentContext) -> None:
    events = _answered_call(ctx)
    second_answer = _event(
        ctx, "c1", "answered", OPEN + timedelta(seconds=40), n=1, agent_id="agent-09"
    )
    record = _fold([*events, second_answer])[-1]
    assert record.answered_at == OPEN + timedelta(seconds=25)
    assert record.wait_seconds == 15.0
    assert record.event_count == 5


def test_late_event_re_emits_with_a_higher_version(ctx: EnrichmentContext) -> None:
    offered, queued, answered, ended = _answered_call(ctx)
    first, second = _fold([offered, answered, ended, queued])
    assert first.wait_seconds == 25.0  # from offered: no queued event yet
    assert second.wait_seconds == 15.0
    assert second.version > first.version


def test_missing_end_is_closed_by_the_timeout_in_stream_time(ctx: EnrichmentContext) -> None:
    offered = _event(ctx, "c2", "offered", OPEN)
    queued = _event(ctx, "c2", "queued", OPEN + timedelta(seconds=3))
    state = CallState(call_id="c2", partition=0).add(offered).add(queued)
    assert build_record(state, CONFIG, NOW) is None
    just_before = OPEN + timedelta(seconds=3 + CONFIG.call_timeout_seconds - 1)
    assert sweep(state, just_before, CONFIG, NOW).record is None
    step = sweep(state, just_before + timedelta(seconds=1), CONFIG, NOW)
    assert step.record is not None
    assert step.record.outcome is Outcome.NO_AGENT
    assert (step.record.closed_by_timeout, step.record.closed_reason) == (True, "timeout")
    assert step.record.wait_seconds is None
    # The end arrives after all: the record is re-emitted, no longer flagged.
    assert step.state is not None
    late_end = _event(ctx, "c2", "ended", OPEN + timedelta(seconds=60))
    again = observe(step.state, late_end, CONFIG, NOW)
    assert again.record is not None
    assert again.record.closed_by_timeout is False
    assert again.record.outcome is Outcome.ABANDONED  # ended unanswered after 57 s
    assert again.record.version > step.record.version


def test_answered_without_end_times_out_as_answered(ctx: EnrichmentContext) -> None:
    events = _answered_call(ctx)[:3]
    state = CallState(call_id="c1", partition=0)
    for event in events:
        state = state.add(event)
    step = sweep(state, OPEN + timedelta(hours=5), CONFIG, NOW)
    assert step.record is not None
    assert step.record.outcome is Outcome.ANSWERED
    assert step.record.talk_seconds is None
    assert step.record.closed_by_timeout is True


def test_closed_state_is_forgotten_after_the_retention(ctx: EnrichmentContext) -> None:
    events = _answered_call(ctx)
    state = CallState(call_id="c1", partition=0)
    for event in events:
        step = observe(state, event, CONFIG, NOW)
        assert step.state is not None
        state = step.state
    ended_at = events[-1].occurred_at
    keep = sweep(state, ended_at + timedelta(seconds=CONFIG.retention_seconds - 1), CONFIG, NOW)
    assert (keep.state, keep.changed) == (state, False)
    gone = sweep(state, ended_at + timedelta(seconds=CONFIG.retention_seconds), CONFIG, NOW)
    assert (gone.state, gone.record, gone.changed) == (None, None, True)


def test_offered_outside_hours_is_closed(ctx: EnrichmentContext) -> None:
    (record,) = _fold(
        [
            _event(ctx, "c3", "offered", SHUT),
            _event(ctx, "c3", "ended", SHUT + timedelta(seconds=20)),
        ]
    )
    assert record.outcome is Outcome.CLOSED
    assert record.within_hours is False


def test_within_hours_is_decided_at_the_offered_time(ctx: EnrichmentContext) -> None:
    # Offered at 21:59:50 local, ended after closing time: still an in-hours call.
    offered_at = datetime(2013, 4, 7, 19, 59, 50, tzinfo=UTC)
    (record,) = _fold(
        [
            _event(ctx, "c4", "offered", offered_at),
            _event(ctx, "c4", "queued", offered_at + timedelta(seconds=5)),
            _event(ctx, "c4", "abandoned", offered_at + timedelta(seconds=30)),
            _event(ctx, "c4", "ended", offered_at + timedelta(seconds=31)),
        ]
    )
    assert record.within_hours is True
    assert record.outcome is Outcome.ABANDONED


@pytest.mark.parametrize(
    ("wait", "outcome"),
    [(0.0, Outcome.SHORT_ABANDON), (4.9, Outcome.SHORT_ABANDON), (5.0, Outcome.ABANDONED)],
)
def test_short_abandon_threshold(ctx: EnrichmentContext, wait: float, outcome: Outcome) -> None:
    abandoned_at = OPEN + timedelta(seconds=2 + wait)
    (record,) = _fold(
        [
            _event(ctx, "c5", "offered", OPEN),
            _event(ctx, "c5", "queued", OPEN + timedelta(seconds=2)),
            _event(ctx, "c5", "abandoned", abandoned_at),
            _event(ctx, "c5", "ended", abandoned_at),
        ]
    )
    assert record.outcome is outcome
    assert record.wait_seconds == pytest.approx(wait)


def test_short_abandon_threshold_is_configurable(ctx: EnrichmentContext) -> None:
    events = [
        _event(ctx, "c6", "offered", OPEN),
        _event(ctx, "c6", "queued", OPEN),
        _event(ctx, "c6", "abandoned", OPEN + timedelta(seconds=8)),
        _event(ctx, "c6", "ended", OPEN + timedelta(seconds=8)),
    ]
    assert _fold(events)[0].outcome is Outcome.ABANDONED
    assert _fold(events, RecordConfig(short_abandon_seconds=10))[0].outcome is (
        Outcome.SHORT_ABANDON
    )


def test_state_round_trips_as_json(ctx: EnrichmentContext) -> None:
    state = CallState(call_id="c1", partition=2)
    for event in _answered_call(ctx):
        state = state.add(event)
    assert CallState.from_bytes(state.to_bytes()) == state


def _states(ctx: EnrichmentContext) -> dict[str, CallState]:
    answered = _answered_call(ctx)
    open_call = CallState(call_id="c1", partition=0)
    for event in answered[:2]:
        open_call = open_call.add(event)
    emitted = CallState(call_id="c1", partition=0)
    for event in answered:
        step = observe(emitted, event, CONFIG, NOW)
        assert step.state is not None
        emitted = step.state
    timed_out = sweep(open_call, OPEN + timedelta(hours=5), CONFIG, NOW).state
    assert timed_out is not None
    return {
        "open": open_call,
        "ended and emitted": emitted,
        "timed out": timed_out,
        "empty": CallState(call_id="c9", partition=0),
    }


@pytest.mark.parametrize("name", ["open", "ended and emitted", "timed out", "empty"])
def test_due_is_exactly_when_the_sweep_first_acts(ctx: EnrichmentContext, name: str) -> None:
    # The table skips states before their due time, so `due` must never be late.
    state = _states(ctx)[name]
    when = due(state, CONFIG)
    assert when is not None
    if name != "empty":
        before = sweep(state, when - timedelta(seconds=1), CONFIG, NOW)
        assert (before.state, before.changed) == (state, False)
    assert sweep(state, when, CONFIG, NOW).changed


def test_ended_but_unemitted_state_is_never_due(ctx: EnrichmentContext) -> None:
    state = CallState(call_id="c1", partition=0)
    for event in _answered_call(ctx):
        state = state.add(event)  # added without settling: nothing emitted yet
    assert due(state, CONFIG) is None
    assert not sweep(state, OPEN + timedelta(days=30), CONFIG, NOW).changed


def _v2(
    ctx: EnrichmentContext, call_id: str, type_: str, at: datetime, **extra: Any
) -> EnrichedEvent:
    fields: dict[str, Any] = {
        "schema_version": 2,
        "event_id": f"{call_id}-{type_}",
        "call_id": call_id,
        "type": type_,
        "occurred_at": at,
        "line": "+4570200000",
        "caller_number": "+4586123456",
        "caller_postcode": "8000" if type_ == "offered" else None,
    }
    fields.update(extra)
    return enrich(CallEventV2(**fields), ctx, NOW)


def test_a_caller_who_hangs_up_in_the_menu_never_queued(ctx: EnrichmentContext) -> None:
    (record,) = _fold(
        [
            _event(ctx, "m1", "offered", OPEN),
            _event(ctx, "m1", "abandoned", OPEN + timedelta(seconds=12)),
            _event(ctx, "m1", "ended", OPEN + timedelta(seconds=13)),
        ]
    )
    assert record.outcome is Outcome.MENU_HANGUP
    assert record.wait_seconds is None  # menu time is not queue time
    assert record.menu_seconds == 12.0
    assert record.end_reason is None  # v1 events carry none


def test_wait_counts_from_queue_entry_and_menu_time_apart(ctx: EnrichmentContext) -> None:
    (record,) = _fold(_answered_call(ctx))
    assert (record.menu_seconds, record.wait_seconds) == (10.0, 15.0)


@pytest.mark.parametrize(
    "reason", [EndReason.QUEUE_TIMEOUT, EndReason.QUEUE_KEY, EndReason.QUEUE_EMPTY]
)
def test_leaving_the_queue_is_not_an_abandon(ctx: EnrichmentContext, reason: EndReason) -> None:
    (record,) = _fold(
        [
            _v2(ctx, "q1", "offered", OPEN),
            _v2(ctx, "q1", "queued", OPEN + timedelta(seconds=10)),
            _v2(ctx, "q1", "abandoned", OPEN + timedelta(seconds=310), end_reason=reason),
            _v2(ctx, "q1", "ended", OPEN + timedelta(seconds=311), end_reason=reason),
        ]
    )
    assert record.outcome is Outcome.LEFT_QUEUE
    assert record.end_reason is reason
    assert record.wait_seconds == 300.0


def test_v2_caller_hangup_in_the_queue_is_an_abandon_and_closed_message_is_closed(
    ctx: EnrichmentContext,
) -> None:
    (hangup,) = _fold(
        [
            _v2(ctx, "q2", "offered", OPEN),
            _v2(ctx, "q2", "queued", OPEN + timedelta(seconds=10)),
            _v2(ctx, "q2", "ended", OPEN + timedelta(seconds=70), end_reason="caller_hangup"),
        ]
    )
    assert (hangup.outcome, hangup.wait_seconds) == (Outcome.ABANDONED, 60.0)
    # The provider played the closed message within our hours (a closure we did not know of).
    (closed,) = _fold(
        [
            _v2(ctx, "q3", "offered", OPEN),
            _v2(ctx, "q3", "ended", OPEN + timedelta(seconds=15), end_reason="closed"),
        ]
    )
    assert closed.within_hours is True
    assert closed.outcome is Outcome.CLOSED


def test_an_imported_call_says_so(ctx: EnrichmentContext) -> None:
    (record,) = _fold(
        [
            _v2(ctx, "i1", "offered", OPEN, origin="import", source="asterisk-queue-log"),
            _v2(ctx, "i1", "ended", OPEN + timedelta(seconds=5), origin="import"),
        ]
    )
    assert (record.origin.value, record.source) == ("import", "asterisk-queue-log")
    assert record.schema_version == 2


def test_a_record_of_version_1_still_reads() -> None:
    (record,) = _fold_plain()
    v1 = record.model_dump(
        mode="json", exclude={"menu_seconds", "end_reason", "origin", "source", "first_seen_at"}
    )
    v1["schema_version"] = 1
    old = CallRecord.model_validate(v1)
    assert (old.schema_version, old.menu_seconds, old.origin.value) == (1, None, "live")


def _fold_plain() -> list[CallRecord]:
    ctx = load_context(Settings(pseudonym_secret="a-test-secret-of-some-length"))
    return _fold(_answered_call(ctx))
