"""The suite's accounting on its own (no service, so it runs in `make test` too): each kind
of damage the fault suite asserts against is really reported."""

from __future__ import annotations

from datetime import UTC, datetime

from chaos.compare import account
from hotline_schemas import CallEvent, EventType

AT = datetime(2013, 3, 4, 18, 45, tzinfo=UTC)


def _event(call: str, n: int, type_: EventType) -> CallEvent:
    return CallEvent(
        schema_version=1, event_id=f"{call}-e{n}", call_id=call, type=type_,
        occurred_at=AT, line="+4570200000",
    )  # fmt: skip


def _acked(*events: CallEvent) -> dict[str, CallEvent]:
    return {e.event_id: e for e in events}


ACKED = _acked(
    _event("a", 1, EventType.OFFERED),
    _event("a", 2, EventType.ENDED),
    _event("b", 1, EventType.OFFERED),  # b has not ended: no record expected
)


def test_everything_stored_once_with_complete_records_is_clean() -> None:
    found = account(ACKED, dict.fromkeys(ACKED, 1), 3, {"a": (1, 2)})
    assert found.problems() == []
    assert (found.accepted, found.stored, found.records_expected) == (3, 3, 1)


def test_a_missing_event_is_lost_and_a_second_row_is_a_duplicate() -> None:
    found = account(ACKED, {"a-e1": 2, "a-e2": 1}, 3, {"a": (1, 2)})
    assert found.lost == ["b-e1"]
    assert found.duplicated == ["a-e1"]
    assert len(found.problems()) == 2


def test_an_ended_call_without_its_record_or_with_a_stale_one_is_reported() -> None:
    stored = dict.fromkeys(ACKED, 1)
    assert account(ACKED, stored, 3, {}).records_missing == ["a"]
    assert account(ACKED, stored, 3, {"a": (1, 1)}).records_incomplete == ["a"]
    assert account(ACKED, stored, 3, {"a": (2, 2)}).records_duplicated == ["a"]


def test_stored_events_never_acknowledged_are_counted_not_failed() -> None:
    found = account(ACKED, {**dict.fromkeys(ACKED, 1), "c-e1": 1}, 4, {"a": (1, 2)})
    assert found.unacknowledged_stored == 1
    assert found.problems() == []
