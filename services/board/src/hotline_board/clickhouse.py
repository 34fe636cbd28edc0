"""A thin, thread-safe read-only ClickHouse client for the board."""

from __future__ import annotations

import threading
from typing import Any

from clickhouse_driver import Client

from hotline_schemas.config import ClickHouseConnection


class BoardClickHouse:
    """One connection shared by the request threads, behind a lock (the driver's client is not
    thread-safe); it reconnects by itself after a failure."""

    def __init__(self, conn: ClickHouseConnection, timeout_s: float) -> None:
        self._lock = threading.Lock()
        self._client = Client(
            host=conn.host,
            port=conn.port,
            user=conn.user,
            password=conn.password.get_secret_value(),
            database="default",
            connect_timeout=min(timeout_s, 3.0),
            send_receive_timeout=timeout_s,
            sync_request_timeout=timeout_s,
            settings={"readonly": 1, "max_execution_time": int(max(timeout_s, 1))},
        )

    def execute(self, query: str) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                rows: list[tuple[Any, ...]] = self._client.execute(query)
            except BaseException:
                self._client.disconnect()
                raise
            return rows

    def close(self) -> None:
        with self._lock:
            self._client.disconnect()
