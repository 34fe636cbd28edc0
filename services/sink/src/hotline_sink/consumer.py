"""The sink loop: poll -> decode -> batch -> insert -> dead-letter -> commit.

Each topic has a route (routes.py): enriched events go to `call_events`, call records to
`call_records`, agent events to `agent_events`; one batch may hold several and is inserted
table by table before the commit.

Offsets are committed only after ClickHouse returned from the insert and the dead letters
were acknowledged (acks=all), so a crash anywhere before the commit re-reads the batch and
inserts it again; `call_events` deduplicates on event_id and `call_records` on call_id
(ReplacingMergeTree, read with FINAL or argMax), so the replay neither loses nor doubles a
row in query results.

Rebalance: records of revoked partitions that are still in the batch are DROPPED, not
flushed: flushing inside the callback would block the rebalance for as long as ClickHouse is
down. They were never committed, so the partition's next owner re-reads them from the
committed offset. When that next owner is this process (the partition came straight back in
the same rebalance), the consumer's position is already past the dropped records, so the
partition is rewound to its committed offset: without that rewind the next commit skipped
them (52 of 7,500 events lost in an outside test; tests/test_sink_rebalance_integration.py).

Kafka unavailable: a failed commit is logged and counted, never fatal (the next batch's
commit covers it, and a re-read is deduplicated); dead letters are retried until Kafka takes
them. The batch is committed only after both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from hotline_schemas import AgentEvent, CallRecord, EnrichedEvent
from hotline_schemas.privacy import KeyRing, make_dead_letter
from hotline_sink.batcher import Batcher
from hotline_sink.clickhouse import RejectedDataError, UnavailableError, Writer
from hotline_sink.metrics import SinkMetrics
from hotline_sink.routes import Route
from hotline_sink.rows import Rejected, Row
from hotline_sink.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    decoded: EnrichedEvent | CallRecord | AgentEvent | Rejected


class RebalanceStuckError(RuntimeError):
    """The consumer lost its partitions and never got new ones."""


class TopicsMissingError(RuntimeError):
    """A topic the sink should read does not exist (or has no partitions yet)."""


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    """Runs on kafka-python's IO loop: only note what was revoked; the loop acts on it."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._revoked: set[tuple[str, int]] = set()
        self._rebalancing_since: float | None = None

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        with self._lock:
            self._revoked.update((tp.topic, tp.partition) for tp in revoked)
            self._rebalancing_since = self._clock()

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        with self._lock:
            self._rebalancing_since = None
        log.info("assigned %s", sorted((tp.topic, tp.partition) for tp in assigned))

    def rebalancing_for(self, now: float) -> float:
        """Seconds since partitions were revoked without a new assignment (0 if none)."""
        with self._lock:
            since = self._rebalancing_since
        return 0.0 if since is None else now - since

    def take(self) -> set[tuple[str, int]]:
        with self._lock:
            revoked, self._revoked = self._revoked, set()
        return revoked


class Sink:
    def __init__(
        self,
        settings: Settings,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        writer: Writer,
        metrics: SinkMetrics,
        *,
        after_insert: Callable[[list[Record]], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        consumer_factory: Callable[[], KafkaConsumer] | None = None,
        on_round: Callable[[], None] | None = None,
    ) -> None:
        self._settings = settings
        self._consumer = consumer
        self._producer = producer
        self._writer = writer
        self._metrics = metrics
        self._after_insert = after_insert
        self._clock = clock
        self._listener = _Listener(clock)
        self._consumer_factory = consumer_factory
        self._on_round = on_round or (lambda: None)
        self._batch: Batcher[Record] = Batcher(settings.batch_max_rows, settings.batch_max_age_s)
        self._next_lag_update = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        """Until `stop` is set (a signal, or another thread); then flush what is left,
        commit and close the clients. An exception leaves the batch uncommitted."""
        try:
            self._wait_for_topics()
            self._consumer.subscribe(list(self._settings.topics), listener=self._listener)
            while not self.stop.is_set():
                self._on_round()
                self._poll_once()
                self._recover_from_stuck_rebalance()
                if self._batch.due(self._clock()):
                    self._flush()
            if len(self._batch):
                self._flush()
        finally:
            self._close()

    def _recover_from_stuck_rebalance(self) -> None:
        """kafka-python 3.0 can revoke a member's partitions and never finish the rebalance
        (no assignment, no error; upstream issues dpkp/kafka-python#3131, #3138): the sink
        would idle while lag grows. After `rebalance_stuck_s` start over with a new consumer;
        nothing is lost, since nothing uncommitted is kept."""
        stuck = self._listener.rebalancing_for(self._clock())
        if stuck < self._settings.rebalance_stuck_s:
            return
        if self._consumer_factory is None:
            raise RebalanceStuckError(f"no partitions assigned {stuck:.0f} s after a revoke")
        log.warning("rebalance stuck for %.0f s: reconnecting with a new consumer", stuck)
        self._batch.drain()
        self._consumer.close(autocommit=False)
        self._consumer = self._consumer_factory()
        self._listener = _Listener(self._clock)
        self._consumer.subscribe(list(self._settings.topics), listener=self._listener)

    def _wait_for_topics(self) -> None:
        """Subscribe only once every topic's partitions are known: a group joined while a
        topic has no metadata yet is assigned none of its partitions, and kafka-python does
        not rebalance when they appear, so the sink would sit idle until restarted."""
        deadline = self._clock() + self._settings.topic_wait_s
        missing = list(self._settings.topics)
        while missing and not self.stop.is_set():
            missing = [t for t in missing if not self._consumer.partitions_for_topic(t)]
            if not missing:
                return
            if self._clock() >= deadline:
                raise TopicsMissingError(
                    f"no partitions for {missing} after {self._settings.topic_wait_s:.0f} s; "
                    "create them with `hotline topics create`"
                )
            log.info("waiting for topics %s to exist", missing)
            self.stop.wait(1.0)

    def _poll_once(self) -> None:
        timeout_ms = max(1, int(self._batch.time_left(self._clock()) * 1000))
        polled = self._consumer.poll(
            timeout_ms=min(timeout_ms, 200), max_records=max(1, self._batch.room)
        )
        self._apply_revocations()
        self._batch.add(self._decode(polled), self._clock())
        self._update_lag()

    def _decode(self, polled: dict[TopicPartition, list[Any]]) -> list[Record]:
        return [
            Record(
                r.topic,
                r.partition,
                r.offset,
                r.key,
                r.value,
                self._settings.route_for(r.topic).decode(r.value),
            )
            for batch in polled.values()
            for r in batch
        ]

    def _apply_revocations(self) -> None:
        revoked = self._drop_revoked()
        if revoked:
            self._rewind(revoked)

    def _drop_revoked(self) -> set[tuple[str, int]]:
        """Drop the batched (not yet stored) records of revoked partitions."""
        revoked = self._listener.take()
        if revoked:
            kept = [r for r in self._batch.drain() if (r.topic, r.partition) not in revoked]
            self._batch.add(kept, self._clock())
            log.info("partitions revoked %s; their uncommitted records are dropped", revoked)
        return revoked

    def _rewind(self, revoked: set[tuple[str, int]]) -> None:
        """Seek partitions that came back to this consumer to their committed offsets, so
        the records just dropped for them are read again instead of skipped."""
        back = [tp for tp in self._consumer.assignment() if (tp.topic, tp.partition) in revoked]
        for tp in back:
            committed = self._consumer.committed(tp)
            if committed is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)
            self._metrics.rewinds.inc()
        if back:
            log.info("rewound %s to their committed offsets", sorted(map(tuple, back)))

    def _flush(self) -> None:
        records = self._batch.drain()
        dead = [(r, r.decoded) for r in records if isinstance(r.decoded, Rejected)]
        by_route: dict[str, tuple[Route, list[Record]]] = {}
        for r in records:
            if not isinstance(r.decoded, Rejected):
                route = self._settings.route_for(r.topic)
                by_route.setdefault(route.table, (route, []))[1].append(r)
        for route, good in by_route.values():
            rows = [route.to_row(r.decoded) for r in good]
            stored = self._store(rows, route)
            if stored is None:
                log.warning("stopped while ClickHouse was unavailable; batch left uncommitted")
                return
            rejected = dict(stored)
            if route.event_time is not None:
                inserted_at = time.time()
                for i in range(len(rows)):
                    # None: imported history, which must not count (nor page anyone).
                    event_time = route.event_time(good[i].decoded)
                    if i not in rejected and event_time is not None:
                        self._metrics.end_to_end_latency.observe(inserted_at - event_time)
            dead.extend((good[i], Rejected(reason)) for i, reason in rejected.items())
        if not self._dead_letter(dead):
            log.warning("stopped while Kafka was unavailable; batch left uncommitted")
            return
        if self._after_insert is not None:
            self._after_insert(records)
        self._commit(records)
        self._metrics.batches.inc()
        self._metrics.batch_size.observe(len(records))

    def _store(self, rows: list[Row], route: Route) -> list[tuple[int, str]] | None:
        """Insert, retrying while ClickHouse is unavailable; (index, reason) of rows it
        refused, or None if asked to stop before it came back."""
        delay = self._settings.retry_initial_s
        while True:
            try:
                return self._insert_bisecting(list(enumerate(rows)), route)
            except UnavailableError as exc:
                self._metrics.insert_failures.labels(kind="unavailable").inc()
                log.warning("ClickHouse unavailable (%s); retrying in %.1f s", exc, delay)
                if self._wait(delay):
                    return None
                delay = min(delay * 2, self._settings.retry_max_s)

    def _insert_bisecting(self, rows: list[tuple[int, Row]], route: Route) -> list[tuple[int, str]]:
        if not rows:
            return []
        started = time.perf_counter()
        try:
            self._writer.insert([row for _, row in rows], route)
        except RejectedDataError as exc:
            self._metrics.insert_failures.labels(kind="data").inc()
            if len(rows) == 1:
                return [(rows[0][0], str(exc))]
            mid = len(rows) // 2
            return self._insert_bisecting(rows[:mid], route) + self._insert_bisecting(
                rows[mid:], route
            )
        self._metrics.insert_latency.observe(time.perf_counter() - started)
        self._metrics.rows_inserted.labels(table=route.table).inc(len(rows))
        self._metrics.last_insert.set(time.time())
        return []

    def _wait(self, delay: float) -> bool:
        """Back off without leaving the group: pause fetching and keep polling so the
        consumer is not evicted for exceeding max_poll_interval_ms. True if stopping."""
        deadline = self._clock() + delay
        while not self.stop.is_set():
            self._on_round()  # waiting on a dependency is not a stuck loop
            assigned = self._consumer.assignment()
            if assigned:
                self._consumer.pause(*assigned)
            polled = self._consumer.poll(timeout_ms=0)
            # Newly assigned partitions are not paused yet: keep what arrived for later.
            self._batch.add(self._decode(polled), self._clock())
            left = deadline - self._clock()
            if left <= 0:
                self._consumer.resume(*self._consumer.paused())
                return False
            self.stop.wait(min(left, 0.2))
        self._consumer.resume(*self._consumer.paused())
        return True

    def _dead_letter(self, dead: list[tuple[Record, Rejected]]) -> bool:
        """Send the rejects to their dead-letter topics and wait until Kafka acknowledged
        them all, retrying while it is unavailable; False if asked to stop first (then the
        batch stays uncommitted and is read again)."""
        if not dead:
            return True
        now = datetime.now(UTC)
        keys = KeyRing.from_setting(self._settings.dead_letter_keys)  # checked at start-up
        letters = [(r, _letter(r, rejected, now, keys)) for r, rejected in dead]
        unsent = list(letters)
        delay = self._settings.retry_initial_s
        timeout = self._settings.dead_letter_timeout_s
        while unsent:
            sent = [
                (
                    r,
                    value,
                    self._producer.send(
                        self._settings.dead_letter_for(r.topic), key=r.key, value=value
                    ),
                )
                for r, value in unsent
            ]
            failure: Exception | None = None
            unsent = []
            for r, value, future in sent:
                try:
                    future.get(timeout=timeout)
                except KafkaError as exc:
                    unsent.append((r, value))  # only what Kafka did not take is sent again
                    failure = exc
            if not unsent:
                break
            self._metrics.dead_letter_failures.inc()
            log.warning(
                "dead-letter topic unavailable (%r): %d letter(s) not acknowledged; "
                "retrying in %.1f s",
                failure,
                len(unsent),
                delay,
            )
            if self._wait(delay):
                return False
            delay = min(delay * 2, self._settings.retry_max_s)
        for r, _ in letters:
            kind = "decode" if isinstance(r.decoded, Rejected) else "insert"
            self._metrics.dead_letters.labels(kind=kind).inc()
        return True

    def _commit(self, records: list[Record]) -> None:
        """Commit what was stored, for the partitions this consumer holds now: a partition
        revoked and handed straight back is still ours to commit (the commit carries the new
        generation), so its stored rows are not read and stored again."""
        revoked = self._drop_revoked()
        held = {(tp.topic, tp.partition) for tp in self._consumer.assignment()}
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for r in records:
            if (r.topic, r.partition) not in held:
                continue
            tp = TopicPartition(r.topic, r.partition)
            if tp not in offsets or offsets[tp].offset < r.offset + 1:
                offsets[tp] = OffsetAndMetadata(r.offset + 1, "", -1)
        if offsets:
            try:
                self._consumer.commit(offsets)
            except CommitFailedError as exc:
                # Rebalanced meanwhile: the new owner re-reads these records; the table dedups.
                self._metrics.commit_failures.labels(kind="rebalance").inc()
                log.warning("commit failed after a rebalance (%s); records will be re-read", exc)
            except KafkaError as exc:
                # The broker is down or moving (KafkaConnectionError, timeouts, coordinator
                # changes): the rows are stored; the next commit covers them, or they are
                # re-read.
                self._metrics.commit_failures.labels(kind="unavailable").inc()
                log.warning(
                    "commit failed, Kafka unavailable (%r); will commit with the next batch", exc
                )
        if revoked:
            self._rewind(revoked)

    def _update_lag(self) -> None:
        now = self._clock()
        if now < self._next_lag_update:
            return
        self._next_lag_update = now + self._settings.lag_interval_s
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)  # cached from fetch responses: no request
            if high is None:
                continue
            position = self._consumer.position(tp)
            if position is not None:
                self._metrics.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(
                    max(0, high - position)
                )

    def _close(self) -> None:
        self._consumer.close(autocommit=False)
        self._producer.close()
        self._writer.close()


def _letter(record: Record, rejected: Rejected, now: datetime, keys: KeyRing | None) -> bytes:
    """The dead-letter message for one record the sink cannot store."""
    letter = make_dead_letter(
        stage="sink",
        reason=rejected.reason,
        errors=rejected.errors,
        payload=record.value or b"",
        keys=keys,
        source_topic=record.topic,
        source_partition=record.partition,
        source_offset=record.offset,
        rejected_at=now,
    )
    return letter.model_dump_json().encode()
