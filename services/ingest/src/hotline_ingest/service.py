"""One request body in, one HTTP outcome out: parse, produce, count. Runs in a worker thread.

The signature has been checked before this runs (see `app.py`). Status rules:
- 202: every item valid, and Kafka acknowledged every event.
- 422: some (or all) items invalid. The valid ones were produced and acknowledged before the
  answer, the invalid ones written to the dead-letter topic with their reason; the body lists
  each rejected item. Resending the whole body is harmless (storage dedups on event_id).
- 400 / 413 / 415 / 422 (empty array): the body as a whole is refused; nothing is produced.
- 503 + Retry-After: Kafka did not take or acknowledge everything in time; resend the body.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hotline_ingest.dead_letters import to_dead_letter
from hotline_ingest.kinds import Kind
from hotline_ingest.link import KafkaLink
from hotline_ingest.metrics import IngestMetrics, ItemMetrics
from hotline_ingest.outcome import Outcome
from hotline_ingest.parsing import BodyError, Limits, Parsed, body_format, parse_body
from hotline_ingest.producer import Destination, KafkaUnavailableError, Record
from hotline_ingest.settings import Settings
from hotline_schemas.privacy import load_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """One endpoint's items: what they are, where they go, what counts them."""

    kind: Kind
    destination: Destination
    metrics: ItemMetrics


def _now() -> datetime:
    return datetime.now(UTC)


class IngestService:
    def __init__(
        self,
        settings: Settings,
        link: KafkaLink,
        metrics: IngestMetrics,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._settings = settings
        self._link = link
        self._metrics = metrics
        self._clock = clock
        self._dead_letter_keys = load_keys(settings.dead_letter_keys, "ingest")

    def refuse(self, error: BodyError) -> Outcome:
        self._metrics.bodies_rejected.labels(error.label).inc()
        if error.status_code == 422:
            return Outcome(422, {"accepted": 0, "rejected": [], "detail": error.detail})
        return Outcome(error.status_code, {"detail": error.detail})

    def handle(self, target: Target, body: bytes, content_type: str | None) -> Outcome:
        now = self._clock()
        settings = self._settings
        limits = Limits(
            max_items=settings.max_items,
            max_depth=settings.max_depth,
            not_after=now + timedelta(seconds=settings.max_future_seconds),
        )
        try:
            parsed = parse_body(body, body_format(content_type), target.kind, limits)
        except BodyError as exc:
            return self.refuse(exc)
        target.metrics.received.inc(parsed.total)
        self._metrics.batch_size.observe(parsed.total)
        records = [
            Record(key=target.kind.key(e).encode(), value=e.model_dump_json().encode())
            for e in parsed.events
        ]
        letters = [
            to_dead_letter(
                r, now, self._settings.dead_letter_payload_max_bytes, self._dead_letter_keys
            )
            for r in parsed.rejections
        ]
        started = time.perf_counter()
        try:
            self._link.producer().send_all(target.destination, records, letters)
        except KafkaUnavailableError as exc:
            self._link.mark_failed()
            self._metrics.kafka_unavailable.inc()
            log.warning("answering 503: %s", exc)
            retry = str(settings.retry_after_seconds)
            detail = (
                "Kafka is unavailable: the events were not (all) acknowledged. Resend the whole "
                f"request after {retry} s; duplicates are removed downstream by event_id."
            )
            return Outcome(503, {"detail": detail}, {"Retry-After": retry})
        self._metrics.produce_latency.observe(time.perf_counter() - started)
        _count(target.metrics, parsed)
        return _result(parsed)


def _count(metrics: ItemMetrics, parsed: Parsed) -> None:
    metrics.accepted.inc(len(parsed.events))
    metrics.dead_letters.inc(len(parsed.rejections))
    for rejection in parsed.rejections:
        metrics.rejected.labels(rejection.label).inc()


def _result(parsed: Parsed) -> Outcome:
    accepted, rejected = len(parsed.events), len(parsed.rejections)
    items: list[object] = [
        {"index": r.index, "line": r.line, "reason": r.reason, "errors": r.errors}
        for r in parsed.rejections
    ]
    if not rejected:
        detail = f"{accepted} event(s) accepted and acknowledged by Kafka"
        return Outcome(202, {"accepted": accepted, "rejected": items, "detail": detail})
    detail = (
        f"{accepted} valid event(s) were accepted and acknowledged by Kafka (no need to "
        f"resend them); {rejected} invalid item(s) were rejected and written to the dead-letter "
        "topic with their reason. Fix and resend only the rejected items."
    )
    return Outcome(422, {"accepted": accepted, "rejected": items, "detail": detail})
