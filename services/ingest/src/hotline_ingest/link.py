"""Keeps a producer connected and knows whether Kafka answered recently.

kafka-python fails at construction when no broker answers, so the service starts without a
producer and a background thread keeps trying; meanwhile requests get 503 + Retry-After. The
same thread does a metadata round trip every few seconds; readiness is "the last one is young".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hotline_ingest.producer import EventProducer, KafkaUnavailableError

log = logging.getLogger(__name__)


class KafkaLink:
    def __init__(
        self,
        factory: Callable[[], EventProducer],
        *,
        check_seconds: float,
        max_age_seconds: float,
        backoff_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self._check = check_seconds
        self._max_age = max_age_seconds
        self._backoff = backoff_seconds
        self._clock = clock
        self._producer: EventProducer | None = None
        self._last_ok: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def connect_once(self) -> bool:
        """Try to create the producer (if there is none); True when one exists afterwards."""
        if self._producer is not None:
            return True
        try:
            producer = self._factory()
        except KafkaUnavailableError as exc:
            log.warning("Kafka unavailable, retrying in the background: %s", exc)
            return False
        with self._lock:
            self._producer = producer
            self._last_ok = self._clock()
        log.info("connected to Kafka")
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ingest-kafka-link", daemon=True)
        self._thread.start()

    def producer(self) -> EventProducer:
        producer = self._producer
        if producer is None:
            raise KafkaUnavailableError("not connected to Kafka yet")
        return producer

    def ready(self) -> bool:
        with self._lock:
            last = self._last_ok
        if self._producer is None or last is None:
            return False
        return self._clock() - last <= self._max_age

    def mark_failed(self) -> None:
        """A produce failed: not ready until the next successful round trip."""
        with self._lock:
            self._last_ok = None

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.connect_once():
                self._stop.wait(self._backoff)
                continue
            self._ping()
            self._stop.wait(self._check)

    def _ping(self) -> None:
        producer = self._producer
        if producer is None:
            return
        try:
            producer.ping()
        except KafkaUnavailableError as exc:
            log.warning("Kafka readiness check failed: %s", exc)
            self.mark_failed()
            return
        with self._lock:
            self._last_ok = self._clock()
