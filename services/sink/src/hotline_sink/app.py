"""Wiring: build the sink's clients from settings, run it until a signal, migrate."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from prometheus_client import REGISTRY, CollectorRegistry

from hotline_schemas.privacy import load_keys
from hotline_sink import migrations
from hotline_sink.clickhouse import Writer, connect, server_version
from hotline_sink.consumer import Record, Sink, TopicsMissingError
from hotline_sink.dialect import Dialect
from hotline_sink.health import Health, tcp_probe
from hotline_sink.metrics import SinkMetrics
from hotline_sink.schema import prepare
from hotline_sink.settings import Settings

log = logging.getLogger(__name__)


def build_sink(
    settings: Settings,
    registry: CollectorRegistry,
    *,
    after_insert: Callable[[list[Record]], None] | None = None,
    on_round: Callable[[], None] | None = None,
    **consumer_options: Any,
) -> Sink:
    client_id = f"{settings.kafka.client_id_prefix}-sink"

    def new_consumer() -> KafkaConsumer:
        return KafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            client_id=client_id,
            group_id=settings.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=settings.batch_max_rows,
            session_timeout_ms=int(settings.session_timeout_s * 1000),
            heartbeat_interval_ms=int(settings.heartbeat_interval_s * 1000),
            **consumer_options,
        )

    consumer = new_consumer()
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        client_id=f"{client_id}-dlq",
        acks="all",
        # Not idempotent, as ingest's producer: kafka-python 3.0.12 wedges an idempotent
        # producer for good once a batch expires in an outage (docs/reliability.md), and the
        # sink would retry its dead letters for ever. A dead letter written twice is harmless:
        # replay sends only what now passes, and storage deduplicates on event_id.
        enable_idempotence=False,
        linger_ms=5,
    )
    writer = Writer(settings.clickhouse, settings.clickhouse.database)
    return Sink(
        settings,
        consumer,
        producer,
        writer,
        SinkMetrics.create(registry),
        after_insert=after_insert,
        on_round=on_round,
        consumer_factory=new_consumer,
    )


def clickhouse_probe(settings: Settings) -> Callable[[], None]:
    client = connect(settings.clickhouse, connect_timeout=2, send_receive_timeout=5)

    def probe() -> None:
        try:
            client.execute("SELECT 1")
        except Exception:
            client.disconnect()
            raise

    return probe


def run_sink(settings: Settings) -> int:
    load_keys(settings.dead_letter_keys, "sink")  # a malformed key stops the sink here
    health = Health(
        {
            "kafka": tcp_probe(settings.kafka.bootstrap_servers),
            "clickhouse": clickhouse_probe(settings),
        },
        REGISTRY,
    )
    server = health.serve(settings.metrics_host, settings.metrics_port)
    sink = build_sink(settings, REGISTRY, on_round=health.loop_went_round)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %s: flushing, committing and closing", signal.Signals(signum).name)
        sink.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "sink: %s -> ClickHouse %s:%s/%s (group %s)",
        ", ".join(settings.topics),
        settings.clickhouse.host,
        settings.clickhouse.port,
        settings.clickhouse.database,
        settings.group_id,
    )
    try:
        sink.run()
    except TopicsMissingError as exc:
        log.error("%s", exc)
        return 1
    finally:
        health.stop()
        server.shutdown()
        server.server_close()
    return 0


def migrate(settings: Settings) -> list[tuple[migrations.Migration, bool]]:
    """Apply pending migrations and (re)load the dimensions (municipalities, topics, rules);
    every known migration with whether this run applied it."""
    client = connect(settings.clickhouse)
    database = settings.clickhouse.database
    try:
        dialect = Dialect.for_version(server_version(client))
        prepared = prepare(client, dialect, database, settings.rules)
        for table, rows in prepared.loaded.items():
            if rows:
                log.info("loaded %d rows into %s.%s", rows, database, table)
    finally:
        client.disconnect()
    done = {m.version for m in prepared.applied}
    return [(m, m.version in done) for m in migrations.discover()]
