"""The enrich worker against the real Kafka broker: raw -> enriched, garbage -> dead letter."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotline_schemas import DeadLetter, EnrichedEvent, paths
from hotline_schemas.privacy import KeyRing, new_key, unseal

# kafka-python 3.0.12 uses the deprecated importlib.resources.read_text/open_text at import, which
# filterwarnings=error turns into a failure; it is imported inside the tests for that reason.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings(
        r"ignore:\w+ is deprecated. Use files\(\) instead:DeprecationWarning"
    ),
]

DEADLINE_S = 60
NUMBER = "+4586123456"
DEAD_LETTER_KEYS = new_key()


def _events() -> list[dict[str, object]]:
    base = json.loads(
        (paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_text(encoding="utf-8")
    )
    return [
        {**base, "event_id": f"evt-int-{i}", "call_id": f"call-int-{i}", "caller_postcode": pc}
        for i, pc in enumerate(["8000", "8900", "12"])
    ]


def _kafka() -> Any:
    import kafka

    return kafka


def _consume(bootstrap: str, topic: str, want: int) -> list[tuple[bytes | None, bytes]]:
    consumer = _kafka().KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    got: list[tuple[bytes | None, bytes]] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(got) < want and time.monotonic() < deadline:
            got.extend((m.key, m.value) for m in consumer)
    finally:
        consumer.close()
    return got


def _committed(bootstrap: str, group: str, topic: str) -> int:
    """The group's committed offsets on `topic`, summed over its partitions."""
    from hotline_cli.lag import measure  # kafka is imported lazily here, as in _kafka()

    (lag,) = measure(bootstrap, [(group, topic)])
    return lag.committed


def test_worker_enriches_and_dead_letters(
    kafka_bootstrap: str,
    unique_name: str,
    make_topics: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    free_port: Callable[[], int],
) -> None:
    raw, enriched = make_topics(f"{unique_name}.raw", f"{unique_name}.enriched", partitions=3)
    (dlq,) = make_topics(f"{unique_name}.raw.dlq", partitions=1)
    metrics_port = free_port()
    for name, value in {
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HOTLINE_PSEUDONYM_SECRET": "integration-test-secret",
        "HOTLINE_DEAD_LETTER_KEYS": DEAD_LETTER_KEYS,
        "HOTLINE_ENRICH_APP_ID": unique_name,
        "HOTLINE_ENRICH_RAW_TOPIC": raw,
        "HOTLINE_ENRICH_ENRICHED_TOPIC": enriched,
        "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": dlq,
        "HOTLINE_ENRICH_WEB_PORT": str(free_port()),
        "HOTLINE_ENRICH_METRICS_PORT": str(metrics_port),
        "HOTLINE_ENRICH_STATE_DIR": str(tmp_path / "state"),
    }.items():
        monkeypatch.setenv(name, value)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "hotline_enrich"], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        producer = _kafka().KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        for event in _events():
            producer.send(raw, key=str(event["call_id"]).encode(), value=json.dumps(event).encode())
        producer.send(raw, key=b"garbage", value=b"\x00this is not json")
        producer.flush(timeout=10)
        producer.close()

        out = _consume(kafka_bootstrap, enriched, want=3)
        letters = _consume(kafka_bootstrap, dlq, want=1)
        worker_log = log_path.read_text(encoding="utf-8", errors="replace")
        assert len(out) == 3, worker_log[-3000:]
        by_call = {key: EnrichedEvent.model_validate_json(value) for key, value in out}
        assert set(by_call) == {b"call-int-0", b"call-int-1", b"call-int-2"}
        assert by_call[b"call-int-0"].municipality_code == 751
        assert by_call[b"call-int-0"].in_catchment is True
        assert by_call[b"call-int-1"].municipality_code == 730
        assert by_call[b"call-int-1"].in_catchment is False
        assert by_call[b"call-int-2"].municipality_code is None
        assert all(NUMBER.encode() not in value for _, value in out)

        assert len(letters) == 1, worker_log[-3000:]
        letter = DeadLetter.model_validate_json(letters[0][1])
        assert letter.stage == "enrich"
        assert letter.reason.startswith("invalid JSON")
        assert letter.source_topic == raw
        assert letter.payload.endswith("this is not json")
        assert unseal(letter, KeyRing.parse(DEAD_LETTER_KEYS)) == b"\x00this is not json"

        # Offsets are committed only after the outputs were acknowledged: all four, eventually.
        deadline = time.monotonic() + 20
        while _committed(kafka_bootstrap, unique_name, raw) < 4 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _committed(kafka_bootstrap, unique_name, raw) == 4

        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        assert "hotline_enrich_events_enriched_total 3.0" in text
        assert "hotline_enrich_events_dead_lettered_total 1.0" in text
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
