"""Call records against the real Kafka broker, across a worker restart: the call state
survives in the table's changelog topic."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hotline_schemas import CallRecord, Outcome

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings(
        r"ignore:\w+ is deprecated. Use files\(\) instead:DeprecationWarning"
    ),
]

DEADLINE_S = 60
OPEN = datetime(2013, 4, 7, 16, 40, tzinfo=UTC)


def _kafka() -> Any:
    import kafka

    return kafka


def _event(call_id: str, n: int, type_: str, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "event_id": f"{call_id}-{n}",
        "call_id": call_id,
        "type": type_,
        "occurred_at": (OPEN + timedelta(seconds=seconds)).isoformat(),
        "line": "+4570200000",
        "caller_number": "+4586123456",
        "caller_postcode": "8000" if type_ == "offered" else None,
        **extra,
    }


def _send(bootstrap: str, topic: str, events: list[dict[str, Any]]) -> None:
    producer = _kafka().KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for event in events:
        producer.send(topic, key=event["call_id"].encode(), value=json.dumps(event).encode())
    producer.flush(timeout=10)
    producer.close()


def _consume(bootstrap: str, topic: str, want: int, deadline_s: float = DEADLINE_S) -> list[Any]:
    consumer = _kafka().KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    got: list[Any] = []
    deadline = time.monotonic() + deadline_s
    try:
        while len(got) < want and time.monotonic() < deadline:
            got.extend(consumer)
    finally:
        consumer.close()
    return got


def _committed(bootstrap: str, group: str, topic: str) -> int:
    """The group's committed offsets on `topic`, summed over its partitions."""
    from hotline_cli.lag import measure  # kafka is imported lazily here, as in _kafka()

    (lag,) = measure(bootstrap, [(group, topic)])
    return lag.committed


@contextmanager
def _worker(log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "hotline_enrich"], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def test_call_state_survives_a_worker_restart(
    kafka_bootstrap: str,
    unique_name: str,
    make_topics: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    free_port: Callable[[], int],
) -> None:
    raw, enriched, records = make_topics(
        f"{unique_name}.raw", f"{unique_name}.enriched", f"{unique_name}.records", partitions=3
    )
    (dlq,) = make_topics(f"{unique_name}.raw.dlq", partitions=1)
    for name, value in {
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
    }.items():
        monkeypatch.setenv(name, value)
    log_path = tmp_path / "worker.log"

    def log_tail() -> str:
        return log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    first_half = [
        _event("call-r1", 1, "offered", 0, ivr_choice="3"),
        _event("call-r1", 2, "queued", 4, queue="hotline"),
    ]
    second_half = [
        _event("call-r1", 3, "answered", 19, agent_id="agent-03"),
        _event("call-r1", 4, "ended", 259, wrap_up_code="MITID"),
    ]
    with _worker(log_path) as worker:
        _send(kafka_bootstrap, raw, first_half)
        assert len(_consume(kafka_bootstrap, enriched, want=2)) == 2, log_tail()
        # Committed: the new worker will not re-read these; only the changelog has them.
        deadline = time.monotonic() + 30
        while _committed(kafka_bootstrap, unique_name, raw) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _committed(kafka_bootstrap, unique_name, raw) == 2, log_tail()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log_tail()
    assert _consume(kafka_bootstrap, records, want=1, deadline_s=2) == []

    with _worker(log_path) as worker:
        _send(kafka_bootstrap, raw, second_half)
        got = _consume(kafka_bootstrap, records, want=1)
        assert got, log_tail()
        assert worker.poll() is None, log_tail()

    # At-least-once: a re-read raw event re-sends the emitted record as it is (same version
    # and content), which the sink's table deduplicates.
    versions = [CallRecord.model_validate_json(m.value) for m in got]
    assert len({r.model_copy(update={"updated_at": OPEN}) for r in versions}) == 1, versions
    assert got[0].key == b"call-r1"
    record = CallRecord.model_validate_json(got[0].value)
    assert record.event_count == 4, record.model_dump_json(indent=1)
    assert record.outcome is Outcome.ANSWERED
    assert record.offered_at == OPEN
    assert record.wait_seconds == 15.0  # queued (first worker) to answered (second worker)
    assert record.talk_seconds == 240.0
    assert (record.municipality_code, record.queue, record.topic) == (751, "hotline", "nemid_login")
    assert record.closed_by_timeout is False
