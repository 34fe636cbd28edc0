"""Faust wiring: raw topic -> enrich -> enriched topic, rejects -> dead-letter topic, and
finished calls -> records topic, with call states in a changelog-backed table (calls.py).

Every Faust setting comes from our `Settings`; `env={}` stops Faust from reading its own
environment variables (`BROKER_URL`, ...), so one system owns the configuration.

Faust owns the group membership, the table's recovery from its changelog, the web server and
the timers. The events go through `BatchHandler` (handler.py), which processes them a batch at
a time and produces through the app's producer directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust
from mode.supervisors import CrashingSupervisor
from prometheus_client import CollectorRegistry

from hotline_enrich.calls import CallStates
from hotline_enrich.enrichment import EnrichmentContext
from hotline_enrich.handler import BatchHandler, Outputs, Send
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.settings import Settings
from hotline_enrich.watch import (
    CommittedOffsets,
    RawOffsets,
    readiness,
    trust_contiguous_offsets,
)

AGENT_NAME = "enrich"
TABLE_NAME = "call-states"


@dataclass(frozen=True)
class Wiring:
    """What a test context replaces: where messages go, and where partitions start."""

    send: Callable[[faust.App], Send]
    # Create the output topics if they are missing, once, before the first produce (they are
    # normally created by `hotline topics create`).
    declare_outputs: bool = True
    # Start each partition's offset guard at the group's committed offset (Kafka). A test
    # context has no running consumer, so it starts at the first offset it sees.
    committed_start: bool = True


def kafka_send(app: faust.App) -> Send:
    def send(
        topic: str, key: bytes | None, value: bytes | None, partition: int | None
    ) -> Awaitable[Any]:
        return app.producer.send(topic, key, value, partition, None, None)

    return send


class StoppingApp(faust.App):
    """faust.App whose stop cannot hang on events it will never ack.

    Stopping for good, Faust waits for every event taken from the stream to be acked
    (`stream_wait_empty`), but its timers, our batch flush among them, have already left their
    loops: a partial batch was never flushed, and the worker waited until it was killed (the
    fault suite saw a second worker ignore SIGTERM for 45 s). Events held behind a gap that a
    rewind would fill can never be acked once the fetcher stops, either. So on the way out:
    flush the partial batch, wait a bounded time for its acks, and leave whatever is still
    unacked uncommitted, for the partitions' next owner. A rebalance keeps Faust's own wait:
    the timers still run then.
    """

    drain: Callable[[], Awaitable[None]] | None = None
    stop_wait_seconds: float = 10.0

    async def _consumer_wait_empty(self, consumer: Any, logger: Any) -> None:
        if not self.should_stop or self.drain is None:
            await super()._consumer_wait_empty(consumer, logger)
            return
        await self.drain()
        try:
            await asyncio.wait_for(consumer.wait_empty(), self.stop_wait_seconds)
        except TimeoutError:
            logger.warning(
                "stopping with events not acked after %.0f s: not committed, they go to the "
                "partitions' next owner",
                self.stop_wait_seconds,
            )


def create_app(
    settings: Settings,
    ctx: EnrichmentContext,
    *,
    metrics: EnrichMetrics | None = None,
    wiring: Wiring | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> faust.App:
    """The Faust app; `wiring` replaces Kafka outputs (tests pass an in-memory send)."""
    wiring = wiring or Wiring(send=kafka_send)
    app = StoppingApp(
        settings.app_id,
        env={},
        autodiscover=False,
        broker=f"kafka://{settings.kafka.bootstrap_servers}",
        broker_client_id=f"{settings.kafka.client_id_prefix}-enrich",
        store=settings.store,
        datadir=str(settings.state_dir),
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        topic_replication_factor=settings.topic_replication_factor,
        topic_partitions=settings.topic_partitions,
        producer_acks=-1,
        producer_linger_ms=settings.producer_linger_ms,
        producer_max_batch_size=settings.producer_max_batch_bytes,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        key_serializer="raw",
        value_serializer="raw",
        worker_redirect_stdouts=False,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.heartbeat_interval_seconds,
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
    )
    # Call states: changelog-backed (the memory store is rebuilt from the changelog topic at
    # start-up) and co-partitioned with the raw topic, both keyed by call_id.
    states = app.Table(
        TABLE_NAME,
        default=None,
        partitions=settings.topic_partitions,
        key_type=bytes,
        value_type=bytes,  # raw bytes: the app's serializers are raw
    )
    metrics = metrics or EnrichMetrics(CollectorRegistry())
    committed = CommittedOffsets(
        settings.kafka.bootstrap_servers,
        settings.app_id,
        f"{settings.kafka.client_id_prefix}-enrich-offsets",
    )

    async def start_offset(tp: Any, first_seen: int) -> int:
        if not wiring.committed_start:
            return first_seen
        return await committed.start(tp)

    offsets = RawOffsets(start_offset, metrics, settings.rewind_grace_seconds)
    outputs = [
        (settings.enriched_topic, settings.topic_partitions),
        (settings.dead_letter_topic, 1),
        (settings.records_topic, settings.topic_partitions),
    ]

    async def declare() -> None:
        if wiring.declare_outputs:
            for name, partitions in outputs:
                await app.topic(name, partitions=partitions, internal=False).maybe_declare()

    calls = CallStates(states.data, settings.record_config(), clock)
    handler = BatchHandler(
        ctx,
        Outputs(
            send=wiring.send(app),
            enriched=settings.enriched_topic,
            dead_letter=settings.dead_letter_topic,
            records=settings.records_topic,
            changelog=states.changelog_topic.get_topic_name(),
        ),
        metrics,
        offsets=offsets,
        consumer=lambda: app.consumer,
        calls=calls,
        max_size=settings.batch_max_size,
        max_age_s=settings.batch_max_age_seconds,
        prepare=declare,
        clock=clock,
    )

    async def on_revoked(sender: Any, /, *args: Any, signal: Any, **_: Any) -> None:
        offsets.forget(args[0])
        calls.forget_partitions()

    app.on_partitions_revoked.connect(on_revoked, weak=False)

    async def on_assigned(sender: Any, /, *args: Any, signal: Any, **_: Any) -> None:
        # Before recovery resumes fetching: the raw offsets' gaps are the guards' business.
        trust_contiguous_offsets(app.consumer, settings.raw_topic)

    app.on_partitions_assigned.connect(on_assigned, weak=False)

    raw = app.topic(
        settings.raw_topic,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topic_partitions,
        internal=False,
    )

    @app.agent(raw, name=AGENT_NAME, supervisor_strategy=CrashingSupervisor)
    async def enrich_events(stream: Any) -> None:
        # noack(): an event is acked once Kafka has its batch's outputs, never by the loop
        # moving on (handler.py).
        async for event in stream.noack().events():
            await handler.add(event)

    @app.timer(settings.batch_max_age_seconds / 2, name="flush")  # type: ignore[untyped-decorator]
    async def flush_partial_batch() -> None:
        await handler.flush_if_due()

    @app.timer(settings.rewind_check_seconds, name="rewind-watch")  # type: ignore[untyped-decorator]
    async def rewind_watch() -> None:
        await offsets.tick(app.consumer)

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        ready, why = readiness(app, handler, offsets, settings.kafka.bootstrap_servers)
        metrics.ready.set(1.0 if ready else 0.0)
        return web.json(
            {"status": "ready" if ready else "not ready", "detail": why},
            status=200 if ready else 503,
        )

    app.drain = handler.flush
    app.stop_wait_seconds = settings.stop_wait_seconds
    app.hotline_handler = handler  # type: ignore[attr-defined]  # tests flush it
    return app
