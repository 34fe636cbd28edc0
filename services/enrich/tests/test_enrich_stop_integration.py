"""SIGTERM on the real broker: a worker with a partial batch in hand stops promptly, having
flushed that batch, so what it took from the topic is enriched and committed. Before, Faust
waited for those events' acks after its timers (the batch flush among them) had stopped: the
worker never stopped on SIGTERM and was killed at the end of its grace period."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from hotline_schemas import paths

pytestmark = [pytest.mark.integration]

CALLS = 30


def _committed_and_end(bootstrap: str, group: str, topic: str) -> tuple[int, int]:
    from hotline_cli.lag import measure

    (lag,) = measure(bootstrap, [(group, topic)])
    return lag.committed, lag.end


def _enriched_ids(bootstrap: str, topic: str) -> set[str]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1500,
    )
    try:
        return {json.loads(m.value)["event_id"] for m in consumer}
    finally:
        consumer.close()


def _wait_ready(port: int, worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("enrich never ready: " + log.read_text(errors="replace")[-3000:])


def test_sigterm_with_a_partial_batch_stops_promptly_and_commits_the_batch(
    kafka_bootstrap: str,
    unique_name: str,
    make_topics: Callable[..., list[str]],
    tmp_path: Path,
    free_port: Callable[[], int],
) -> None:
    raw, enriched, records = make_topics(
        f"{unique_name}.raw", f"{unique_name}.enriched", f"{unique_name}.records"
    )
    (dlq,) = make_topics(f"{unique_name}.raw.dlq", partitions=1)
    web = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HOTLINE_PSEUDONYM_SECRET": "integration-test-secret",
        "HOTLINE_ENRICH_APP_ID": unique_name,
        "HOTLINE_ENRICH_RAW_TOPIC": raw,
        "HOTLINE_ENRICH_ENRICHED_TOPIC": enriched,
        "HOTLINE_ENRICH_RECORDS_TOPIC": records,
        "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": dlq,
        "HOTLINE_ENRICH_WEB_PORT": str(web),
        "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
        "HOTLINE_ENRICH_STATE_DIR": str(tmp_path / "state"),
        # A batch that only a stop can flush: neither full nor old enough while the test runs.
        "HOTLINE_ENRICH_BATCH_MAX_AGE_SECONDS": "600",
    }
    log = tmp_path / "enrich.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "hotline_enrich"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_ready(web, worker, log)
        base = json.loads((paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_text())
        from kafka import KafkaProducer

        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        for i in range(CALLS):
            event = {**base, "event_id": f"e-{i}", "call_id": f"c-{i}"}
            producer.send(raw, key=event["call_id"].encode(), value=json.dumps(event).encode())
        producer.flush(timeout=10)
        producer.close()
        time.sleep(8)  # fetched into the batch long before this; nothing flushes it yet
        assert _enriched_ids(kafka_bootstrap, enriched) == set()  # the batch really is pending

        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(
                "enrich did not stop within 30 s of SIGTERM: "
                + log.read_text(errors="replace")[-3000:]
            )
        took = time.monotonic() - asked
        text = log.read_text(errors="replace")
        assert "wait_empty: Waiting for tasks" not in text, text[-3000:]
        assert _committed_and_end(kafka_bootstrap, unique_name, raw) == (CALLS, CALLS), (
            took,
            text[-3000:],
        )
        assert _enriched_ids(kafka_bootstrap, enriched) == {f"e-{i}" for i in range(CALLS)}
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
