"""The sink's HTTP endpoint: /metrics for Prometheus, /healthz (alive), /readyz (ready).

Ready means: Kafka accepts connections, ClickHouse answers `SELECT 1`, and the sink loop is
not stuck (it went round recently). A background thread probes the dependencies every few
seconds; requests only read the last result, so a scrape never waits on a dead server.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

log = logging.getLogger(__name__)

Probe = Callable[[], None]  # raises when the dependency is not usable


@dataclass(frozen=True)
class Verdict:
    ready: bool
    detail: str


def judge(checks: dict[str, str | None], loop_age_s: float, loop_limit_s: float) -> Verdict:
    """Pure: failed probes (name -> error) and the age of the loop's last round -> a verdict."""
    failed = [f"{name}: {error}" for name, error in sorted(checks.items()) if error is not None]
    if loop_age_s > loop_limit_s:
        failed.append(f"sink loop has not gone round for {loop_age_s:.0f} s")
    return Verdict(not failed, "; ".join(failed) or "ready")


def tcp_probe(bootstrap_servers: str, timeout_s: float = 2.0) -> Probe:
    servers = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]

    def probe() -> None:
        for server in servers:
            host, _, port = server.rpartition(":")
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout_s):
                    return
            except (OSError, ValueError):
                continue
        raise ConnectionError(f"no Kafka broker accepts connections at {servers}")

    return probe


class Health:
    def __init__(
        self,
        probes: dict[str, Probe],
        registry: CollectorRegistry,
        *,
        interval_s: float = 5.0,
        loop_limit_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probes = probes
        self._interval = interval_s
        self._loop_limit = loop_limit_s
        self._clock = clock
        self._checks: dict[str, str | None] = dict.fromkeys(probes, "not probed yet")
        self._loop_at = clock()
        self._stop = threading.Event()
        self.registry = registry
        self._up = Gauge(
            "hotline_sink_dependency_up",
            "1 when the dependency answered the last probe.",
            ["dependency"],
            registry=registry,
        )
        self._ready = Gauge(
            "hotline_sink_ready", "1 when the sink is ready (GET /readyz).", registry=registry
        )

    def loop_went_round(self) -> None:
        self._loop_at = self._clock()

    def verdict(self) -> Verdict:
        return judge(dict(self._checks), self._clock() - self._loop_at, self._loop_limit)

    def probe_once(self) -> None:
        for name, probe in self._probes.items():
            try:
                probe()
                self._checks[name] = None
            except Exception as exc:
                self._checks[name] = f"{type(exc).__name__}: {exc}"[:300]
            self._up.labels(dependency=name).set(0.0 if self._checks[name] else 1.0)
        self._ready.set(1.0 if self.verdict().ready else 0.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.probe_once()
            self._stop.wait(self._interval)

    def serve(self, host: str, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((host, port), _handler(self))
        threading.Thread(target=server.serve_forever, name="sink-http", daemon=True).start()
        threading.Thread(target=self._run, name="sink-probes", daemon=True).start()
        return server

    def stop(self) -> None:
        self._stop.set()


def _handler(health: Health) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(health.registry))
            elif path == "/healthz":
                self._json(200, {"status": "ok"})
            elif path == "/readyz":
                verdict = health.verdict()
                status = "ready" if verdict.ready else "not ready"
                self._json(
                    200 if verdict.ready else 503, {"status": status, "detail": verdict.detail}
                )
            else:
                self._json(404, {"detail": "not found: /metrics, /healthz, /readyz"})

        def _json(self, code: int, body: dict[str, str]) -> None:
            self._send(code, "application/json", json.dumps(body).encode())

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # one line per scrape is noise

    return Handler
