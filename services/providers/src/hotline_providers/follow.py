"""`hotline follow`'s loop: a live queue_log -> adapter -> Kafka, position saved after acks.

Events are live traffic (origin live): they count for the latency and stall alerts like
events posted to ingest. Lines already older than the live window when read (the backlog
after a restart, or `--from-start`) are marked origin import instead: catching up must not
page anyone. The position (file, offset, line, the adapter's state) is saved only after Kafka
acknowledged every event before it, so a restart resumes without loss; what is sent twice has
the same event ids. If Kafka fails, the follower goes back to the saved position and tries
again after a pause (not ready meanwhile).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kafka.errors import KafkaError

from hotline_providers import dead_letters
from hotline_providers.metrics import FollowMetrics
from hotline_providers.model import Adapter, Event
from hotline_providers.producing import DeliveryError, EventProducer, MissingTopicsError
from hotline_providers.tailer import Position, Tailer
from hotline_schemas import AgentEvent, Origin
from hotline_schemas.privacy import KeyRing

log = logging.getLogger(__name__)

_MAX_UNACKED = 5000


@dataclass(frozen=True)
class FollowOptions:
    source_format: str
    poll_interval_s: float = 0.25
    flush_every_s: float = 1.0
    live_window_s: float = 300.0
    ready_max_age_s: float = 30.0
    retry_s: float = 5.0
    # A turn of the loop waits at most for a Kafka flush (60 s) or a retry pause; a loop that
    # has not turned for longer is stuck (a hung file system, a deadlock), not busy.
    alive_max_age_s: float = 120.0


def load_position(path: Path) -> tuple[Position | None, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, {}
    return Position(**data["position"]), data.get("adapter", {})


def save_position(path: Path, position: Position, adapter: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump({"position": asdict(position), "adapter": adapter}, f, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def mark_backlog(event: Event, now: datetime, window: timedelta) -> Event:
    """A line read long after it was written is history, not live traffic."""
    if event.origin is Origin.LIVE and now - event.occurred_at > window:
        return event.model_copy(update={"origin": Origin.IMPORT})
    return event


class Follower:
    def __init__(
        self,
        file: Path,
        position_file: Path,
        make_adapter: Callable[[], Adapter],
        producer: EventProducer,
        make_producer: Callable[[], EventProducer],
        options: FollowOptions,
        metrics: FollowMetrics,
        *,
        keys: KeyRing | None = None,
        from_start: bool = False,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.file, self.position_file = file, position_file
        self.make_adapter, self.make_producer = make_adapter, make_producer
        self.producer: EventProducer | None = producer
        self.options, self.metrics, self.keys = options, metrics, keys
        self.clock, self.now = clock, now
        self.stop = threading.Event()
        self._from_start = from_start
        self._last_ack = clock()
        self._last_turn = clock()
        self._failed = False
        self._unacked = 0
        self.adapter, self.tailer = self._resume()
        # Read at scrape time, not by the loop: a hung loop could not report itself.
        metrics.ready.set_function(lambda: 1.0 if self.ready() else 0.0)
        # Where a rewind after a Kafka failure (or a restart) goes back to, from the start.
        save_position(self.position_file, self.tailer.position(), self.adapter.state())

    def _resume(self) -> tuple[Adapter, Tailer]:
        position, state = load_position(self.position_file)
        adapter = self.make_adapter()
        adapter.restore(state)
        if position is not None:
            where = (position.path, position.offset, position.line)
            log.info("resuming %s at byte %d, line %d", *where)
        tailer = Tailer(self.file, position, from_start=self._from_start and position is None)
        return adapter, tailer

    def ready(self) -> bool:
        """The loop turns, the file is open and Kafka took what was sent recently."""
        if not self.alive() or not self.tailer.is_open or self._failed:
            return False
        return self._unacked == 0 or self.clock() - self._last_ack < self.options.ready_max_age_s

    def alive(self) -> bool:
        """The loop turned recently: waiting for Kafka or the file is alive, hanging is not."""
        return self.clock() - self._last_turn < self.options.alive_max_age_s

    def _turn(self) -> None:
        # At the top of every turn, so that the backlog also grows while Kafka is failing: that
        # is when the alert needs it.
        self._last_turn = self.clock()
        self.metrics.rotations.set(self.tailer.rotations)
        self.metrics.backlog_bytes.set(self.tailer.backlog_bytes())

    def run(self) -> None:
        """Until `stop` is set; then acknowledge and save what was read."""
        last_flush = self.clock()
        try:
            while not self.stop.is_set():
                self._turn()
                if self.producer is None and not self._reconnect():
                    continue
                try:
                    records = self.tailer.poll()
                    for record in records:
                        self._record(record.line, record.text)
                    due = self.clock() - last_flush >= self.options.flush_every_s
                    if self._unacked and (due or self._unacked >= _MAX_UNACKED):
                        self._flush()
                        last_flush = self.clock()
                except (DeliveryError, KafkaError) as exc:
                    self._rewind(exc)
                    continue
                if not records:
                    self.stop.wait(self.options.poll_interval_s)
            if self._unacked and self.producer is not None:
                self._flush()
        finally:
            self.tailer.close()
            if self.producer is not None:
                self.producer.close()

    def _record(self, line: int, text: str) -> None:
        assert self.producer is not None
        result = self.adapter.convert(line, text)
        if result.rejected is not None:
            letter = dead_letters.import_letter(
                result,
                source_format=self.options.source_format,
                rejected_at=self.now(),
                keys=self.keys,
            )
            self.producer.send_dead_letter(letter)
            self._unacked += 1
            self.metrics.lines.labels(result="rejected").inc()
            return
        kind = "skipped" if result.skipped else ("events" if result.events else "context")
        self.metrics.lines.labels(result=kind).inc()
        window = timedelta(seconds=self.options.live_window_s)
        now = self.now()
        for event in result.events:
            event = mark_backlog(event, now, window)
            self.producer.send(event)
            self._unacked += 1
            kind = "agent" if isinstance(event, AgentEvent) else "call"
            self.metrics.events.labels(kind=kind, origin=event.origin.value).inc()
            self.metrics.last_event_time.set(event.occurred_at.timestamp())

    def _flush(self) -> None:
        assert self.producer is not None
        self.producer.flush()
        self._failed = False
        self._unacked = 0
        self._last_ack = self.clock()
        self.metrics.last_ack.set(time.time())
        save_position(self.position_file, self.tailer.position(), self.adapter.state())

    def _rewind(self, exc: Exception) -> None:
        """Kafka failed: drop the producer (its state may be broken), go back to the saved
        position, try again after a pause. Nothing unacknowledged was saved as done."""
        self._failed = True
        self._unacked = 0
        self.metrics.kafka_failures.inc()
        log.warning(
            "Kafka failed (%s): back to the saved position in %.0f s", exc, self.options.retry_s
        )
        if self.producer is not None:
            self.producer.close(timeout_s=0)
            self.producer = None
        self.tailer.close()
        self.adapter, self.tailer = self._resume()
        self.stop.wait(self.options.retry_s)

    def _reconnect(self) -> bool:
        try:
            self.producer = self.make_producer()
        except (KafkaError, MissingTopicsError, OSError) as exc:
            log.warning(
                "Kafka still unavailable (%s); trying again in %.0f s", exc, self.options.retry_s
            )
            self.stop.wait(self.options.retry_s)
            return False
        return True
