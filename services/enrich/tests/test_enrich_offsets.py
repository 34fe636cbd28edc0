"""The raw-offset guard: admit in order, rewind on a gap, release acks in order. Pure."""

from __future__ import annotations

import pytest

from hotline_enrich.offsets import Admission, PartitionGuard


class E:
    """An event stand-in: the guard tells events apart by identity, as Faust events are."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def names(items: list[E]) -> list[str]:
    return [i.name for i in items]


def test_consecutive_offsets_are_processed_and_acked_in_order() -> None:
    guard: PartitionGuard[E] = PartitionGuard(expected=10)
    e10, e11, e12 = E("e10"), E("e11"), E("e12")
    assert [guard.admit(o, e, now=1.0) for o, e in ((10, e10), (11, e11), (12, e12))] == [
        Admission.PROCESS
    ] * 3
    # Outputs of 12 and 11 are acknowledged before those of 10: nothing may be acked yet,
    # or a commit could pass 10 while its outputs are in flight.
    assert guard.done(e12) == []
    assert guard.done(e11) == []
    assert names(guard.done(e10)) == ["e10", "e11", "e12"]
    assert guard.in_flight == 0


def test_a_gap_asks_for_one_rewind_and_skips_until_the_missing_offset_comes() -> None:
    guard: PartitionGuard[E] = PartitionGuard(expected=10)
    assert guard.admit(12, E("e12"), now=1.0) is Admission.REWIND  # 10 and 11 were dropped
    assert guard.admit(13, E("e13"), now=1.1) is Admission.SKIP  # already rewinding
    assert guard.in_flight == 0  # nothing after the gap is processed, nothing acked
    assert guard.admit(10, E("e10"), now=1.5) is Admission.PROCESS  # the rewind delivered it
    assert guard.admit(11, E("e11"), now=1.5) is Admission.PROCESS
    assert guard.admit(12, E("e12'"), now=1.5) is Admission.PROCESS
    assert guard.expected == 13


def test_a_single_dropped_message_is_not_skipped() -> None:
    # Faust's own gap check lets exactly one missing offset through; the guard does not.
    guard: PartitionGuard[E] = PartitionGuard(expected=0)
    assert guard.admit(1, E("e1"), now=0.0) is Admission.REWIND
    assert guard.in_flight == 0


def test_a_redelivered_earlier_offset_is_processed_and_acked_after_what_came_before() -> None:
    guard: PartitionGuard[E] = PartitionGuard(expected=5)
    e5, e3 = E("e5"), E("e3-again")
    guard.admit(5, e5, now=0.0)
    assert guard.admit(3, e3, now=0.0) is Admission.PROCESS
    assert guard.done(e3) == []  # e5 first: admission order
    assert names(guard.done(e5)) == ["e5", "e3-again"]


def test_a_rewind_that_delivers_nothing_is_asked_for_again_after_the_grace_period() -> None:
    guard: PartitionGuard[E] = PartitionGuard(expected=10)
    guard.admit(12, E("e12"), now=100.0)
    assert not guard.needs_rewind(highwater=20, now=105.0, grace_s=10.0)
    assert guard.needs_rewind(highwater=20, now=110.0, grace_s=10.0)
    guard.rewound(now=110.0)
    assert not guard.needs_rewind(highwater=20, now=115.0, grace_s=10.0)


def test_messages_dropped_at_the_tail_are_noticed_from_the_high_watermark() -> None:
    guard: PartitionGuard[E] = PartitionGuard(expected=10)
    e10 = E("e10")
    guard.admit(10, e10, now=100.0)
    guard.done(e10)
    # 11..14 are on the broker but never arrived, and nothing came after them.
    assert not guard.needs_rewind(highwater=15, now=105.0, grace_s=10.0)
    assert guard.needs_rewind(highwater=15, now=111.0, grace_s=10.0)
    assert not guard.needs_rewind(highwater=11, now=111.0, grace_s=10.0)  # caught up


def test_done_for_an_unknown_item_is_an_error() -> None:
    guard: PartitionGuard[E] = PartitionGuard(expected=0)
    with pytest.raises(KeyError):
        guard.done(E("never admitted"))
