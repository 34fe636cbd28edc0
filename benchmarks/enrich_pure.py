"""Single-core figures: the pure enrichment function, and JSON decode + validate.

No Kafka, no Faust: what one core can do per event on the hot path of the enrich service.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.events import payload, utc_now
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_schemas import CallEvent
from hotline_schemas.hours import load_schedule
from hotline_schemas.reference_data import PostcodeTable
from hotline_schemas.taxonomy import load_taxonomy

_SECRET = b"benchmark-secret-not-for-real-numbers"


@dataclass(frozen=True)
class Rate:
    name: str
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def context() -> EnrichmentContext:
    return EnrichmentContext(
        postcodes=PostcodeTable.load(),
        schedule=load_schedule(None),
        taxonomy=load_taxonomy(None),
        secret=_SECRET,
    )


def _best_of(repeats: int, run: Callable[[], None]) -> float:
    # The best of a few runs is the least disturbed by other work on a shared machine.
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def measure(events: list[CallEvent], repeats: int = 3) -> list[Rate]:
    ctx = context()
    raw = [payload(e) for e in events]
    now = utc_now()

    def decode() -> None:
        for item in raw:
            CallEvent.model_validate_json(item)

    def enrich_only() -> None:
        for event in events:
            enrich(event, ctx, now)

    def whole_path() -> None:
        for item in raw:
            enrich(CallEvent.model_validate_json(item), ctx, now).model_dump_json()

    n = len(events)
    return [
        Rate("decode+validate (CallEvent.model_validate_json)", n, _best_of(repeats, decode)),
        Rate("enrich (pure function)", n, _best_of(repeats, enrich_only)),
        Rate("decode+enrich+encode (one event's CPU path)", n, _best_of(repeats, whole_path)),
    ]
