"""Fixtures for integration tests against the real services started by `make up`.

A missing service fails the test run: integration tests never skip themselves.
Every test gets its own topics, consumer group and ClickHouse database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

KAFKA = os.environ.get("HOTLINE_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:9092")
CLICKHOUSE_HOST = os.environ.get("HOTLINE_CLICKHOUSE__HOST", "127.0.0.1")
CLICKHOUSE_PORT = int(os.environ.get("HOTLINE_CLICKHOUSE__PORT", "9000"))


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=10_000)
    except KafkaError as exc:
        pytest.fail(f"Kafka is not reachable at {KAFKA} ({exc!r}); run `make up` first")
    admin.close()
    return KAFKA


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A short name unique to this test, usable as a topic, group or database suffix."""
    stem = "".join(c if c.isalnum() else "_" for c in request.node.name)[:40]
    return f"t_{stem}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_topics(kafka_bootstrap: str) -> Iterator[object]:
    """Create uniquely named topics for one test; delete them afterwards."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    created: list[str] = []

    def make(*names: str, partitions: int = 3) -> list[str]:
        admin.create_topics(
            [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in names]
        )
        created.extend(names)
        return list(names)

    yield make
    if created:
        admin.delete_topics(created)
    admin.close()


@pytest.fixture(scope="session")
def clickhouse_server() -> tuple[str, int]:
    from clickhouse_driver import Client
    from clickhouse_driver.errors import Error, NetworkError

    client = Client(host=CLICKHOUSE_HOST, port=CLICKHOUSE_PORT, connect_timeout=5)
    try:
        client.execute("SELECT 1")
    except (Error, NetworkError, OSError) as exc:
        pytest.fail(
            f"ClickHouse is not reachable at {CLICKHOUSE_HOST}:{CLICKHOUSE_PORT} ({exc!r}); "
            "run `make up` first"
        )
    finally:
        client.disconnect()
    return CLICKHOUSE_HOST, CLICKHOUSE_PORT


@pytest.fixture
def clickhouse_database(clickhouse_server: tuple[str, int], unique_name: str) -> Iterator[str]:
    """An empty database for one test, dropped afterwards."""
    from clickhouse_driver import Client

    host, port = clickhouse_server
    client = Client(host=host, port=port)
    client.execute(f"CREATE DATABASE {unique_name}")
    yield unique_name
    client.execute(f"DROP DATABASE IF EXISTS {unique_name}")
    client.disconnect()
