from __future__ import annotations

import pytest

from hotline_sink.batcher import Batcher


def test_due_when_full() -> None:
    batch: Batcher[int] = Batcher(max_rows=3, max_age=10)
    batch.add([1, 2], now=0)
    assert not batch.due(now=0)
    assert batch.room == 1
    batch.add([3], now=0)
    assert batch.due(now=0)
    assert batch.drain() == [1, 2, 3]
    assert len(batch) == 0


def test_due_when_old_counting_from_the_first_record() -> None:
    batch: Batcher[str] = Batcher(max_rows=100, max_age=1.0)
    assert not batch.due(now=100)
    assert batch.time_left(now=100) == 1.0
    batch.add(["a"], now=10)
    batch.add(["b"], now=10.8)
    assert not batch.due(now=10.9)
    assert batch.time_left(now=10.5) == pytest.approx(0.5)
    assert batch.due(now=11.0)


def test_drain_restarts_the_age() -> None:
    batch: Batcher[int] = Batcher(max_rows=100, max_age=1.0)
    batch.add([1], now=0)
    batch.drain()
    batch.add([2], now=5)
    assert not batch.due(now=5.5)
    assert batch.due(now=6)


def test_adding_nothing_starts_no_batch() -> None:
    batch: Batcher[int] = Batcher(max_rows=10, max_age=1.0)
    batch.add([], now=0)
    batch.add([1], now=3)
    assert not batch.due(now=3.5)


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="max_rows"):
        Batcher(max_rows=0)
