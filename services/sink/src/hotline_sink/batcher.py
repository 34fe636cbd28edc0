"""When to flush: a batch is due at `max_rows` records or `max_age` seconds after its first
record, whichever comes first. Pure: the clock is passed in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Batcher(Generic[T]):
    max_rows: int = 5000
    max_age: float = 1.0
    _items: list[T] = field(default_factory=list)
    _started: float | None = None

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_age <= 0:
            raise ValueError("max_rows must be >= 1 and max_age > 0")

    def __len__(self) -> int:
        return len(self._items)

    @property
    def room(self) -> int:
        """How many more records fit before the batch is full."""
        return max(0, self.max_rows - len(self._items))

    def add(self, items: Iterable[T], now: float) -> None:
        before = len(self._items)
        self._items.extend(items)
        if before == 0 and self._items:
            self._started = now

    def due(self, now: float) -> bool:
        if not self._items:
            return False
        if len(self._items) >= self.max_rows:
            return True
        assert self._started is not None
        return now - self._started >= self.max_age

    def time_left(self, now: float) -> float:
        """Seconds until the batch is due by age (max_age when empty): the poll timeout."""
        if self._started is None or not self._items:
            return self.max_age
        return max(0.0, self.max_age - (now - self._started))

    def drain(self) -> list[T]:
        items, self._items, self._started = self._items, [], None
        return items
