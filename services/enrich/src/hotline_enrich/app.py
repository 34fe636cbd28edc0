"""Faust wiring: raw topic -> enrich -> enriched topic, rejects -> dead-letter topic, and
finished calls -> records topic (call states in a changelog-backed table, see call_table.py).

Every Faust setting comes from our `Settings`; `env={}` stops Faust from reading its own
environment variables (`BROKER_URL`, ...), so one system owns the configuration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import faust
from mode.supervisors import CrashingSupervisor
from prometheus_client import CollectorRegistry

from hotline_enrich.call_table import CallTable, create_table
from hotline_enrich.enrichment import EnrichmentContext
from hotline_enrich.handler import Outcome, Outputs, RawEventHandler
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.settings import Settings
from hotline_enrich.watch import CommittedOffsets, RawOffsets, readiness

AGENT_NAME = "enrich"


def kafka_outputs(settings: Settings) -> Callable[[faust.App], Outputs]:
    def build(app: faust.App) -> Outputs:
        return Outputs(
            enriched=_bytes_topic(app, settings.enriched_topic, settings.topic_partitions),
            dead_letter=_bytes_topic(app, settings.dead_letter_topic, 1),
            records=_bytes_topic(app, settings.records_topic, settings.topic_partitions),
            changelog_acks=True,
            committed_start=True,
        )

    return build


def _bytes_topic(app: faust.App, name: str, partitions: int) -> Any:
    return app.topic(
        name, key_serializer="raw", value_serializer="raw", partitions=partitions, internal=False
    )


def create_app(
    settings: Settings,
    ctx: EnrichmentContext,
    *,
    metrics: EnrichMetrics | None = None,
    outputs: Callable[[faust.App], Outputs] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> faust.App:
    """The Faust app; `outputs` replaces the Kafka output topics (tests pass in-memory ones)."""
    app = faust.App(
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
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        key_serializer="raw",
        value_serializer="raw",
        worker_redirect_stdouts=False,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.heartbeat_interval_seconds,
    )
    # Call states: changelog-backed (the memory store is rebuilt from the changelog topic at
    # start-up) and co-partitioned with the raw topic, both keyed by call_id.
    states = create_table(app, settings.topic_partitions)
    metrics = metrics or EnrichMetrics(CollectorRegistry())
    built = (outputs or kafka_outputs(settings))(app)

    committed = CommittedOffsets(
        settings.kafka.bootstrap_servers,
        settings.app_id,
        f"{settings.kafka.client_id_prefix}-enrich-offsets",
    )

    async def start_offset(tp: Any, first_seen: int) -> int:
        if not built.committed_start:
            return first_seen
        return await committed.start(tp)

    offsets = RawOffsets(start_offset, metrics, settings.rewind_grace_seconds)
    handler = RawEventHandler(
        ctx,
        built,
        metrics,
        offsets=offsets,
        consumer=lambda: app.consumer,
        clock=clock,
        calls=CallTable(states, settings.record_config(), clock),
    )

    async def forget_revoked(sender: Any, /, *args: Any, signal: Any, **_: Any) -> None:
        offsets.forget(args[0])

    app.on_partitions_revoked.connect(forget_revoked, weak=False)

    raw = _bytes_topic(app, settings.raw_topic, settings.topic_partitions)

    @app.agent(raw, name=AGENT_NAME, supervisor_strategy=CrashingSupervisor)
    async def enrich_events(stream: Any) -> AsyncIterator[Outcome | None]:
        # noack(): an event is acked by the delivery callback, never by the loop moving on.
        async for event in stream.noack().events():
            yield await handler.handle(event)

    @app.timer(settings.rewind_check_seconds, name="rewind-watch")  # type: ignore[untyped-decorator]
    async def rewind_watch() -> None:
        await offsets.tick(app.consumer)

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        ready, why = readiness(app, handler, offsets, settings.kafka.bootstrap_servers)
        handler.metrics.ready.set(1.0 if ready else 0.0)
        return web.json(
            {"status": "ready" if ready else "not ready", "detail": why},
            status=200 if ready else 503,
        )

    return app
