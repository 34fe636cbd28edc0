"""The raw-offset guard on the real broker: a message Faust dropped without acking was either
committed past (lost) or pinned the partition's commit for good; the worker must notice the
gap, rewind, process the message, and commit everything."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotline_schemas import paths

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings(
        r"ignore:\w+ is deprecated. Use files\(\) instead:DeprecationWarning"
    ),
]

FAULT = Path(__file__).parent / "faults" / "drop_one_message.py"
CALLS = 60


def _kafka() -> Any:
    import kafka

    return kafka


def _committed_and_end(bootstrap: str, group: str, topic: str) -> tuple[int, int]:
    from hotline_cli.lag import measure

    (lag,) = measure(bootstrap, [(group, topic)])
    return lag.committed, lag.end


def _enriched_ids(bootstrap: str, topic: str) -> set[str]:
    consumer = _kafka().KafkaConsumer(
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


def test_a_dropped_message_is_processed_after_a_rewind_and_the_commit_moves_on(
    kafka_bootstrap: str,
    unique_name: str,
    make_topics: Callable[..., list[str]],
    tmp_path: Path,
    free_port: Callable[[], int],
    service_processes: Any,
) -> None:
    raw, enriched, records = make_topics(
        f"{unique_name}.raw", f"{unique_name}.enriched", f"{unique_name}.records"
    )
    (dlq,) = make_topics(f"{unique_name}.raw.dlq", partitions=1)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HOTLINE_PSEUDONYM_SECRET": "integration-test-secret",
        "HOTLINE_ENRICH_APP_ID": unique_name,
        "HOTLINE_ENRICH_RAW_TOPIC": raw,
        "HOTLINE_ENRICH_ENRICHED_TOPIC": enriched,
        "HOTLINE_ENRICH_RECORDS_TOPIC": records,
        "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": dlq,
        "HOTLINE_ENRICH_WEB_PORT": str(free_port()),
        "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
        "HOTLINE_ENRICH_STATE_DIR": str(tmp_path / "state"),
        "HOTLINE_ENRICH_REWIND_CHECK_SECONDS": "1",
        "HOTLINE_ENRICH_REWIND_GRACE_SECONDS": "3",
    }
    log = tmp_path / "enrich.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, str(FAULT)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = json.loads((paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_text())
        producer = _kafka().KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        for i in range(CALLS):
            event = {**base, "event_id": f"e-{i}", "call_id": f"c-{i}"}
            producer.send(raw, key=event["call_id"].encode(), value=json.dumps(event).encode())
        producer.flush(timeout=10)
        producer.close()

        deadline = time.monotonic() + 90
        committed, end = _committed_and_end(kafka_bootstrap, unique_name, raw)
        while committed < end and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
            time.sleep(1)
            committed, end = _committed_and_end(kafka_bootstrap, unique_name, raw)
        text = log.read_text(errors="replace")
        assert "FAULT: dropped partition 0" in text  # the fault really happened
        assert (committed, end) == (CALLS, CALLS), text[-3000:]
        assert "rewinding" in text
        assert _enriched_ids(kafka_bootstrap, enriched) == {f"e-{i}" for i in range(CALLS)}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
