"""Enrich test helpers: an in-memory producer for `agent.test_context()` runs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import faust
import pytest

from hotline_enrich.app import Wiring
from hotline_enrich.handler import Send


@dataclass
class Captured:
    """Stands in for the Kafka producer: keeps every message, per topic, in order. With
    `fail_topic` set, every send to that topic fails as an unacknowledged produce."""

    fail_topic: str | None = None
    messages: list[tuple[str, bytes | None, bytes | None, int | None]] = field(default_factory=list)

    def wiring(self) -> Wiring:
        return Wiring(send=self._build, declare_outputs=False, committed_start=False)

    def _build(self, app: faust.App) -> Send:
        def send(
            topic: str, key: bytes | None, value: bytes | None, partition: int | None
        ) -> Awaitable[asyncio.Future[Any]]:
            fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            if topic == self.fail_topic:
                fut.set_exception(OSError("broker did not acknowledge"))
            else:
                self.messages.append((topic, key, value, partition))
                fut.set_result(None)

            async def handed() -> asyncio.Future[Any]:
                return fut

            return handed()

        return send

    def on(self, topic: str) -> list[tuple[bytes | None, bytes | None]]:
        return [(k, v) for t, k, v, _ in self.messages if t == topic]

    @staticmethod
    async def flush(app: faust.App) -> None:
        """Process what the agent batched, and let the delivery callbacks (acks) run."""
        await app.hotline_handler.flush()  # type: ignore[attr-defined]
        for _ in range(3):
            await asyncio.sleep(0)

    @staticmethod
    def close(app: faust.App) -> None:
        """Iterating a stream creates the app's Kafka consumer (never started in a test
        context); its consumer thread owns an event loop of its own, which nobody closes."""
        thread = getattr(app.consumer, "_thread", None)
        loop = getattr(thread, "thread_loop", None)
        if loop is not None and not loop.is_closed():
            loop.close()


@pytest.fixture
def captured() -> Captured:
    return Captured()
