"""The sink's readiness: the pure verdict, and the HTTP endpoint with real probes."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from prometheus_client import CollectorRegistry

from hotline_sink.health import Health, judge, tcp_probe


def test_ready_only_when_every_probe_passed_and_the_loop_goes_round() -> None:
    assert judge({"kafka": None, "clickhouse": None}, 1.0, 120.0).ready
    down = judge({"kafka": None, "clickhouse": "NetworkError: refused"}, 1.0, 120.0)
    assert not down.ready
    assert "clickhouse: NetworkError: refused" in down.detail
    stuck = judge({"kafka": None, "clickhouse": None}, 300.0, 120.0)
    assert not stuck.ready
    assert "300 s" in stuck.detail


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_readyz_says_which_dependency_is_down(free_port: Callable[[], int]) -> None:
    with socket.socket() as listener:  # something that accepts TCP, standing for Kafka
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        kafka = f"127.0.0.1:{listener.getsockname()[1]}"
        health = Health(
            {"kafka": tcp_probe(kafka), "clickhouse": tcp_probe(f"127.0.0.1:{_closed_port()}")},
            CollectorRegistry(),
        )
        health.probe_once()
        port = free_port()
        server = health.serve("127.0.0.1", port)
        try:
            status, body = _get(f"http://127.0.0.1:{port}/readyz")
            assert status == 503
            assert body["status"] == "not ready"
            assert "clickhouse" in body["detail"]
            assert "kafka" not in body["detail"]
            assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                text = r.read().decode()
            assert 'hotline_sink_dependency_up{dependency="kafka"} 1.0' in text
            assert 'hotline_sink_dependency_up{dependency="clickhouse"} 0.0' in text
            assert "hotline_sink_ready 0.0" in text
        finally:
            health.stop()
            server.shutdown()
            server.server_close()


def test_a_probe_that_raises_is_reported_not_raised() -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    health = Health({"clickhouse": broken}, CollectorRegistry())
    health.probe_once()
    verdict = health.verdict()
    assert not verdict.ready
    assert "RuntimeError: boom" in verdict.detail


@pytest.mark.parametrize("servers", ["", "nonsense", "127.0.0.1:notaport"])
def test_a_bad_bootstrap_string_is_unreachable_not_a_crash(servers: str) -> None:
    with pytest.raises(ConnectionError):
        tcp_probe(servers)()
