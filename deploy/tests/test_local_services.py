"""The local real services answer: Kafka (KRaft), ClickHouse and Prometheus.

Run `deploy/local/services.sh up` (or `make up`) first. Nothing here is mocked and nothing skips:
a service that is not running fails its test. Kafka and ClickHouse addresses come from the root
conftest's `kafka_bootstrap` / `clickhouse_server` fixtures (which fail when the service is down).
"""

from __future__ import annotations

import time
import uuid
import warnings
from typing import Any

import httpx
import pytest
from clickhouse_driver import Client

# kafka-python 3.0.x builds its protocol classes at import time with the deprecated
# importlib.resources.read_text/open_text; the root pytest config turns every warning into an error.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="(read|open)_text is deprecated", category=DeprecationWarning
    )
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

pytestmark = pytest.mark.integration

# Fixed in deploy/local/prometheus.sh.
PROMETHEUS = "http://127.0.0.1:9090"

HINT = "is it running? start it with `deploy/local/services.sh up`"


def _wait_until(predicate: object, timeout: float = 15.0) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return bool(predicate())


def test_kafka_metadata_and_topic_round_trip(kafka_bootstrap: str) -> None:
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=kafka_bootstrap, client_id="deploy-tests", request_timeout_ms=10_000
        )
    except Exception as exc:
        pytest.fail(f"Kafka at {kafka_bootstrap} did not answer metadata ({exc!r}); {HINT}")
    name = f"deploy-test-{uuid.uuid4().hex[:12]}"
    try:
        assert isinstance(admin.list_topics(), list)
        cluster = admin.describe_cluster()
        assert len(cluster["brokers"]) == 1, cluster
        assert cluster["controller_id"] == 1, cluster

        admin.create_topics([NewTopic(name=name, num_partitions=3, replication_factor=1)])
        assert _wait_until(lambda: name in admin.list_topics()), f"{name} never appeared"
        (described,) = admin.describe_topics([name])
        assert described["error_code"] == 0, described
        assert len(described["partitions"]) == 3, described

        admin.delete_topics([name])
        assert _wait_until(lambda: name not in admin.list_topics()), f"{name} was not deleted"
    finally:
        if name in admin.list_topics():
            admin.delete_topics([name])
        admin.close()


def test_clickhouse_answers_version(
    clickhouse_server: tuple[str, int], clickhouse_writer: Any
) -> None:
    host, port = clickhouse_server
    password = clickhouse_writer.password.get_secret_value()
    client = Client(
        host=host, port=port, user=clickhouse_writer.user, password=password, connect_timeout=5
    )
    try:
        try:
            rows = client.execute("SELECT version()")
        except Exception as exc:
            pytest.fail(f"ClickHouse at {host}:{port} did not answer ({exc!r}); {HINT}")
        ((version,),) = rows
        print(f"ClickHouse server version {version}")
        parts = str(version).split(".")
        assert len(parts) >= 3, version
        assert all(p.isdigit() for p in parts), version
        server_name, *_ = client.connection.server_info.name.split()
        assert server_name == "ClickHouse", client.connection.server_info.name
    finally:
        client.disconnect()


def test_prometheus_is_ready() -> None:
    try:
        response = httpx.get(f"{PROMETHEUS}/-/ready", timeout=5.0)
    except httpx.HTTPError as exc:
        pytest.fail(f"Prometheus at {PROMETHEUS} did not answer ({exc!r}); {HINT}")
    assert response.status_code == 200, response.text
    targets = httpx.get(f"{PROMETHEUS}/api/v1/targets", timeout=5.0).json()
    jobs = {t["labels"]["job"] for t in targets["data"]["activeTargets"]}
    assert {"prometheus", "ingest", "enrich", "sink", "board"} <= jobs, jobs
