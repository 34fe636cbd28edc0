"""Call states a batch at a time (calls.py) and whole batches (batch.py): pure, no Faust."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline_enrich.batch import RawMessage, process
from hotline_enrich.call_records import RecordConfig
from hotline_enrich.call_state import CallState
from hotline_enrich.calls import CallStates
from hotline_enrich.context import load_context
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_enrich.settings import Settings
from hotline_schemas import CallEvent, CallEventV2, DeadLetter, EnrichedEvent, Origin, Outcome

NOW = datetime(2024, 1, 1, tzinfo=UTC)
OPEN = datetime(2013, 3, 31, 16, 40, tzinfo=UTC)  # Sunday 18:40 in Copenhagen: open
LIVE0, LIVE1 = (0, Origin.LIVE), (1, Origin.LIVE)
CONFIG = RecordConfig(call_timeout_seconds=600, retention_seconds=3600, sweep_interval_seconds=60)


@pytest.fixture(scope="module")
def ctx() -> EnrichmentContext:
    return load_context(Settings(pseudonym_secret="a-test-secret-of-some-length"))


def _raw(call_id: str, n: int, type_: str, at: datetime) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "event_id": f"{call_id}-{n}",
        "call_id": call_id,
        "type": type_,
        "occurred_at": at.isoformat(),
        "line": "+4570200000",
        "caller_postcode": "8000",
    }


def _event(ctx: EnrichmentContext, call_id: str, n: int, type_: str, at: datetime) -> EnrichedEvent:
    return enrich(CallEvent.model_validate(_raw(call_id, n, type_, at)), ctx, NOW)


def _states() -> tuple[CallStates, dict[bytes, bytes]]:
    store: dict[bytes, bytes] = {}
    return CallStates(store, CONFIG, lambda: NOW), store


def test_a_call_folded_in_one_batch_is_written_once_and_recorded_once(
    ctx: EnrichmentContext,
) -> None:
    calls, store = _states()
    events = [
        _event(ctx, "a", 1, "offered", OPEN),
        _event(ctx, "a", 2, "answered", OPEN + timedelta(seconds=12)),
        _event(ctx, "a", 3, "ended", OPEN + timedelta(seconds=90)),
    ]
    (record,) = calls.fold("a", 2, events)
    assert (record.outcome, record.wait_seconds, record.event_count) == (Outcome.ANSWERED, 12.0, 3)
    ((key, partition, value),) = calls.take_writes()
    assert (key, partition) == (b"a", 2)
    assert value == store[b"a"]
    assert CallState.from_bytes(store[b"a"]).emitted
    assert calls.take_writes() == []  # taken once


def test_a_duplicate_of_an_emitted_call_resends_its_record_without_a_write(
    ctx: EnrichmentContext,
) -> None:
    calls, _ = _states()
    ended = [
        _event(ctx, "a", 1, "offered", OPEN),
        _event(ctx, "a", 2, "ended", OPEN + timedelta(seconds=30)),
    ]
    (first,) = calls.fold("a", 0, ended)
    calls.take_writes()
    (again,) = calls.fold("a", 0, ended[-1:])
    assert again.version == first.version
    assert calls.take_writes() == []


def test_an_open_call_times_out_in_stream_time_and_is_forgotten_after_retention(
    ctx: EnrichmentContext,
) -> None:
    calls, store = _states()
    assert calls.fold("b", 1, [_event(ctx, "b", 1, "offered", OPEN)]) == []
    calls.take_writes()
    assert calls.advance(LIVE1, OPEN) == []  # the first mark only starts the clock
    assert calls.advance(LIVE1, OPEN + timedelta(minutes=5)) == []  # not due yet
    (timed_out,) = calls.advance(LIVE1, OPEN + timedelta(minutes=11))
    assert (timed_out.call_id, timed_out.outcome, timed_out.closed_by_timeout) == (
        "b",
        Outcome.NO_AGENT,
        True,
    )
    assert calls.take_writes()[0][:2] == (b"b", 1)
    assert calls.advance(LIVE1, OPEN + timedelta(minutes=11, hours=1)) == []
    # Retention over: the state is deleted, and the changelog gets a tombstone.
    assert b"b" not in store
    assert calls.take_writes() == [(b"b", 1, None)]


def test_after_a_rebalance_the_due_times_are_rebuilt_from_the_recovered_store(
    ctx: EnrichmentContext,
) -> None:
    calls, store = _states()
    calls.fold("c", 0, [_event(ctx, "c", 1, "offered", OPEN)])
    calls.fold("d", 1, [_event(ctx, "d", 1, "offered", OPEN)])
    recovered = dict(store)  # what recovery would rebuild from the changelog
    fresh = CallStates(recovered, CONFIG, lambda: NOW)
    fresh.advance(LIVE0, OPEN)
    (record,) = fresh.advance(LIVE0, OPEN + timedelta(minutes=20))
    assert record.call_id == "c"  # only partition 0's call: d belongs to partition 1
    calls.forget_partitions()
    calls.advance(LIVE1, OPEN)
    assert [r.call_id for r in calls.advance(LIVE1, OPEN + timedelta(minutes=20))] == ["d"]


def _message(
    value: bytes, partition: int = 0, offset: int = 0, key: bytes | None = b"k"
) -> RawMessage:
    return RawMessage(key, value, "t.raw", partition, offset)


def test_a_batch_keeps_each_output_on_its_source_partition_and_dead_letters_the_rest(
    ctx: EnrichmentContext,
) -> None:
    calls, _ = _states()
    good = [
        _message(json.dumps(_raw("e", 1, "offered", OPEN)).encode(), partition=2, offset=7),
        _message(json.dumps(_raw("e", 2, "ended", OPEN + timedelta(seconds=40))).encode(), 2, 8),
    ]
    out = process([*good, _message(b"{not json", partition=1, offset=3)], ctx, calls, lambda: NOW)
    assert [(k, p) for k, _, p in out.enriched] == [(b"e", 2), (b"e", 2)]
    assert [(r.call_id, p) for r, p in out.records] == [("e", 2)]
    assert [(k, p) for k, p, _ in out.writes] == [(b"e", 2)]
    ((key, letter),) = out.dead_letters
    rejected = DeadLetter.model_validate_json(letter)
    assert (rejected.source_partition, rejected.source_offset) == (1, 3)
    assert rejected.reason.startswith("invalid JSON")
    assert key == b"k"


class _Exploding(CallStates):
    def fold(self, call_id: str, partition: int, events: Any) -> Any:
        if call_id == "boom":
            raise ValueError("cannot fold")
        return super().fold(call_id, partition, events)


def test_a_call_that_cannot_be_folded_is_dead_lettered_and_the_others_go_on(
    ctx: EnrichmentContext,
) -> None:
    calls = _Exploding({}, CONFIG, lambda: NOW)
    batch = [
        _message(json.dumps(_raw("boom", 1, "offered", OPEN)).encode(), offset=1),
        _message(json.dumps(_raw("fine", 1, "offered", OPEN)).encode(), offset=2),
    ]
    out = process(batch, ctx, calls, lambda: NOW)
    assert out.failures == 1
    ((_, letter),) = out.dead_letters
    assert "could not build the call record" in DeadLetter.model_validate_json(letter).reason
    assert [k for k, _, _ in out.writes] == [b"fine"]


def test_live_traffic_does_not_time_out_history_being_imported(ctx: EnrichmentContext) -> None:
    calls, _ = _states()
    imported = enrich(
        CallEventV2.model_validate(
            {**_raw("old", 1, "offered", OPEN), "schema_version": 2, "origin": "import"}
        ),
        ctx,
        NOW,
    )
    calls.fold("old", 0, [imported])
    today = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
    calls.fold("new", 0, [_event(ctx, "new", 1, "offered", today)])
    calls.advance(LIVE0, today)
    # The live clock moves on to 2026 and times out the live call, not the 2013 import.
    assert [r.call_id for r in calls.advance(LIVE0, today + timedelta(hours=2))] == ["new"]
    import_clock = (0, Origin.IMPORT)
    calls.advance(import_clock, OPEN)
    (timed_out,) = calls.advance(import_clock, OPEN + timedelta(minutes=11))
    assert timed_out.call_id == "old"
