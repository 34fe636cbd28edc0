"""The real Prometheus scrapes a real ingest and answers queries on its metrics and rules.

Its own Prometheus (Debian's binary) on a free port with a temporary config and TSDB: the shared
one on 9090 may be reloaded by others at any time. Ingest runs as `python -m hotline_ingest`
against the real Kafka, on unique topics.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.integration

RULES = Path(__file__).resolve().parents[1] / "prometheus" / "rules"
WAIT_S = 45.0


@dataclass(frozen=True)
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def until(self, what: str, check: Callable[[], Any]) -> Any:
        return _until(what, check, self.proc, self.log)


def _until(what: str, check: Callable[[], Any], proc: subprocess.Popen[bytes], log: Path) -> Any:
    """Poll `check` until it returns something truthy, for at most WAIT_S seconds."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited early: {log.read_text(errors='replace')[-2000:]}"
        try:
            result = check()
        except httpx.TransportError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"{what} not within {WAIT_S} s; log: {log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def ingest(
    kafka_bootstrap: str,
    make_topics: Any,
    unique_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    free_port: Callable[[], int],
    webhook_secret: str,
) -> Iterator[Server]:
    raw, dlq = make_topics(f"{unique_name}.raw", f"{unique_name}.dlq", partitions=1)
    port = free_port()
    # The child inherits the environment: configured exactly as an operator would.
    monkeypatch.setenv("HOTLINE_INGEST_PORT", str(port))
    monkeypatch.setenv("HOTLINE_INGEST_RAW_TOPIC", raw)
    monkeypatch.setenv("HOTLINE_INGEST_DEAD_LETTER_TOPIC", dlq)
    monkeypatch.setenv("HOTLINE_KAFKA__BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("HOTLINE_INGEST_WEBHOOK_SECRET", webhook_secret)
    log = tmp_path / "ingest.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "hotline_ingest"], stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        _until(
            "ingest ready",
            lambda: httpx.get(f"{url}/readyz", timeout=2).status_code == 200,
            proc,
            log,
        )
        yield Server(url, proc, log)
    finally:
        _stop(proc, signal.SIGINT)


@pytest.fixture
def prometheus(ingest: Server, tmp_path: Path, free_port: Callable[[], int]) -> Iterator[Server]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: install Debian's prometheus package (make install)"
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(path) for path in sorted(RULES.glob("*.yml"))],
        "scrape_configs": [
            {
                "job_name": "ingest",
                "static_configs": [{"targets": [ingest.url.removeprefix("http://")]}],
            }
        ],
    }
    config_path = tmp_path / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config))
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=out,
            cwd=tmp_path,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _until(
            "prometheus ready",
            lambda: httpx.get(f"{url}/-/ready", timeout=2).status_code == 200,
            proc,
            log,
        )
        yield Server(url, proc, log)
    finally:
        _stop(proc, signal.SIGTERM)


def _query(prometheus: str, promql: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]["result"]  # type: ignore[no-any-return]


def _value_is(prometheus: str, promql: str, expected: float) -> bool:
    result = _query(prometheus, promql)
    return len(result) == 1 and float(result[0]["value"][1]) == expected


EVENT = {
    "schema_version": 1,
    "event_id": "evt-scrape-1",
    "call_id": "call-scrape-1",
    "type": "offered",
    "occurred_at": "2013-01-07T19:00:00+01:00",
    "line": "+4570200000",
    "caller_number": "+4586123456",
    "caller_postcode": "8000",
}


def test_prometheus_scrapes_ingest_and_evaluates_the_rules(
    ingest: Server, prometheus: Server, webhook_auth: Any
) -> None:
    prom = prometheus.url
    prometheus.until("up{job='ingest'} == 1", lambda: _value_is(prom, 'up{job="ingest"}', 1))
    prometheus.until(
        "the counter at 0 before any event",
        lambda: _value_is(prom, "hotline_ingest_events_accepted_total", 0),
    )

    response = httpx.post(f"{ingest.url}/v1/events", json=EVENT, timeout=15, auth=webhook_auth)
    assert response.status_code == 202, response.text

    prometheus.until(
        "the accepted event in Prometheus",
        lambda: _value_is(prom, 'hotline_ingest_events_accepted_total{job="ingest"}', 1),
    )
    (series,) = _query(prom, "hotline_ingest_events_accepted_total")
    assert series["metric"]["instance"] == ingest.url.removeprefix("http://")

    # The rules load into the real server and the recording rule sees the real metric name.
    groups = httpx.get(f"{prom}/api/v1/rules", timeout=5).json()["data"]["groups"]
    assert {group["name"] for group in groups} == {"pipeline", "slo", "business"}
    prometheus.until(
        "the recording rule over ingest's counter",
        lambda: _query(prom, 'job:hotline_ingest_events_accepted:rate5m{job="ingest"}'),
    )
    groups = httpx.get(f"{prom}/api/v1/rules", timeout=5).json()["data"]["groups"]
    assert all(rule["health"] != "err" for group in groups for rule in group["rules"]), groups
