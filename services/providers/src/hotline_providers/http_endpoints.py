"""The follower's HTTP endpoints: `/metrics` (Prometheus), `/readyz` and `/healthz`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest


def serve(
    host: str,
    port: int,
    registry: CollectorRegistry,
    ready: Callable[[], bool],
    alive: Callable[[], bool],
) -> ThreadingHTTPServer:
    """Start serving on a daemon thread; `shutdown()` the returned server to stop.

    `/healthz` answers 503 when `alive` says the work loop stopped turning: this thread
    answering proves only that the process exists, and a liveness probe must restart a
    follower whose loop hangs."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(200, generate_latest(registry), CONTENT_TYPE_LATEST)
            elif path == "/readyz":
                ok = ready()
                body = b'{"status": "ready"}' if ok else b'{"status": "not ready"}'
                self._answer(200 if ok else 503, body, "application/json")
            elif path == "/healthz":
                ok = alive()
                body = b'{"status": "alive"}' if ok else b'{"status": "stuck"}'
                self._answer(200 if ok else 503, body, "application/json")
            else:
                self._answer(404, b'{"detail": "not found"}', "application/json")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # scrapes every few seconds would drown the log

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="follow-http").start()
    return server
