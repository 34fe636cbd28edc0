"""Fixtures of the ingest tests: event factories, settings, the app, a consumer of real topics.

Every app is built with a webhook secret, and the clients `serve` yields sign every request
the way a provider does (the simulator's signer); pass `auth=httpx.Auth()` (a no-op) to send
a request unsigned.

kafka-python 3.0.12 calls the deprecated importlib.resources.read_text at import, which
filterwarnings=error turns into a failure: kafka (and the app, which imports it) are imported
inside fixtures, and the test modules using them ignore that one warning (`KAFKA_IMPORT`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from hotline_ingest.settings import Settings
from hotline_schemas.privacy import new_key
from hotline_simulator.signing import Signer, WebhookAuth

EventFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_event() -> EventFactory:
    def make(n: int = 1, call: str = "call-1", **changes: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "schema_version": 1,
            "event_id": f"evt-{n}",
            "call_id": call,
            "type": "offered",
            "occurred_at": "2013-01-07T19:00:00+01:00",
            "line": "+4570200000",
            "caller_number": "+4586123456",
            "caller_postcode": "8000",
        }
        base.update(changes)
        return base

    return make


@pytest.fixture
def make_agent_event() -> EventFactory:
    def make(n: int = 1, agent: str = "agent-1", **changes: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "schema_version": 1,
            "event_id": f"agent-evt-{n}",
            "agent_id": agent,
            "type": "logged_in",
            "occurred_at": "2013-01-07T18:25:00+01:00",
            "queue": "hotline",
        }
        base.update(changes)
        return base

    return make


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_settings(webhook_secret: str) -> Settings:
    """Kafka at a port nobody listens on, with short timeouts so every wait is bounded."""
    return Settings(
        webhook_secret=webhook_secret,
        kafka={"bootstrap_servers": f"127.0.0.1:{_closed_port()}"},
        connect_timeout_seconds=0.5,
        reconnect_backoff_seconds=0.5,
        produce_timeout_seconds=2.0,
        retry_after_seconds=7,
    )


@asynccontextmanager
async def serving(app: FastAPI, auth: httpx.Auth | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, and an HTTP client talking to it in-process.

    (Starlette's TestClient now warns about httpx, and warnings are errors here.)
    """
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ingest", auth=auth
        ) as client:
            yield client


def signing_auth(settings: Settings) -> httpx.Auth | None:
    """Signs like the provider, with the first configured secret (None: the app is unsigned)."""
    secrets = settings.webhook_secrets()
    return WebhookAuth(Signer(secrets[0])) if secrets else None


def _serve(settings: Settings) -> Any:
    from hotline_ingest.app import create_app

    return serving(create_app(settings, registry=CollectorRegistry()), signing_auth(settings))


@pytest.fixture
def serve() -> Callable[[Settings], Any]:
    """`async with serve(settings) as client:` the app built from these settings."""
    return _serve


@pytest.fixture
async def unreachable_client(unreachable_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with _serve(unreachable_settings) as client:
        yield client


@pytest.fixture
def kafka_settings(
    kafka_bootstrap: str, make_topics: Any, unique_name: str, webhook_secret: str
) -> Settings:
    raw, dlq, agents, agents_dlq = make_topics(
        f"{unique_name}.raw",
        f"{unique_name}.dlq",
        f"{unique_name}.agents",
        f"{unique_name}.agents.dlq",
        partitions=3,
    )
    return Settings(
        webhook_secret=webhook_secret,
        kafka={"bootstrap_servers": kafka_bootstrap},
        raw_topic=raw,
        dead_letter_topic=dlq,
        agent_topic=agents,
        agent_dead_letter_topic=agents_dlq,
        produce_timeout_seconds=10.0,
        dead_letter_keys=SecretStr(new_key()),
    )


@pytest.fixture
async def kafka_client(kafka_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with _serve(kafka_settings) as client:
        yield client


Consume = Callable[[str, int], list[Any]]


@pytest.fixture
def consume(kafka_bootstrap: str) -> Consume:
    """Read exactly `count` records from a topic (from the beginning), bounded by 20 s."""

    def read(topic: str, count: int) -> list[Any]:
        from kafka import KafkaConsumer, TopicPartition

        # No consumer group: assigning every partition directly skips a slow rebalance.
        consumer = KafkaConsumer(
            bootstrap_servers=kafka_bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)])
        records: list[Any] = []
        deadline = time.monotonic() + 20
        try:
            while len(records) < count and time.monotonic() < deadline:
                for batch in consumer.poll(timeout_ms=500).values():
                    records.extend(batch)
            # Anything beyond `count` would be a duplicate or a stray record: look briefly.
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        finally:
            consumer.close()
        return records

    return read
