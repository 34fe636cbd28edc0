"""HTTP behaviour of the ingest app, always with the real kafka-python producer.

Tests without the integration mark point the producer at a closed port (Kafka unreachable):
they cover what never needs Kafka (400/413, health, OpenAPI) and the 503 path. Tests with
the mark use the real broker and unique topics.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest

from hotline_ingest.settings import Settings

EventFactory = Callable[..., dict[str, Any]]
# kafka-python's import-time DeprecationWarning, see conftest.py.
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings(
        r"ignore:\w+ is deprecated. Use files\(\) instead:DeprecationWarning"
    ),
]


async def test_healthz_alive_even_without_kafka(unreachable_client: httpx.AsyncClient) -> None:
    response = await unreachable_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_503_while_kafka_unreachable(unreachable_client: httpx.AsyncClient) -> None:
    response = await unreachable_client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"


async def test_503_with_retry_after_while_kafka_unreachable(
    unreachable_client: httpx.AsyncClient, make_event: EventFactory
) -> None:
    started = time.monotonic()
    response = await unreachable_client.post("/v1/events", json=[make_event(1), make_event(2)])
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert "Resend the whole request" in response.json()["detail"]


async def test_503_also_for_invalid_items_their_dead_letters_need_kafka(
    unreachable_client: httpx.AsyncClient,
) -> None:
    response = await unreachable_client.post("/v1/events", json={"call_id": "c"})
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        (b"this is not json", "application/json", 400, "body is not JSON/NDJSON"),
        (b"", "application/json", 400, "body is empty"),
        (b"[]", "application/json", 422, "holds no events"),
    ],
)
async def test_whole_body_refused_before_kafka(
    unreachable_client: httpx.AsyncClient, body: bytes, content_type: str, status: int, detail: str
) -> None:
    response = await unreachable_client.post(
        "/v1/events", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert detail in response.json()["detail"]


@pytest.fixture
async def small_client(
    unreachable_settings: Settings, serve: Any
) -> AsyncIterator[httpx.AsyncClient]:
    settings = unreachable_settings.model_copy(update={"max_body_bytes": 1000, "max_items": 3})
    async with serve(settings) as client:
        yield client


async def test_413_by_content_length(small_client: httpx.AsyncClient) -> None:
    response = await small_client.post(
        "/v1/events", content=b"x" * 1001, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "body too large: 1001 bytes" in response.json()["detail"]


async def test_413_for_chunked_body_without_content_length(small_client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100

    response = await small_client.post(
        "/v1/events", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "body too large: at least 1100 bytes" in response.json()["detail"]


async def test_413_for_too_many_items(
    small_client: httpx.AsyncClient, make_event: EventFactory
) -> None:
    response = await small_client.post("/v1/events", json=[{"a": n} for n in range(4)])
    assert response.status_code == 413
    assert "too many items: 4 > 3" in response.json()["detail"]


async def test_openapi_documents_events_endpoint(unreachable_client: httpx.AsyncClient) -> None:
    spec = (await unreachable_client.get("/openapi.json")).json()
    post = spec["paths"]["/v1/events"]["post"]
    assert set(post["responses"]) >= {"202", "400", "413", "422", "503"}
    content = post["requestBody"]["content"]
    assert set(content) == {"application/json", "application/x-ndjson"}
    assert "CallEvent" in orjson.dumps(content["application/json"]).decode()
    assert "call_id" in spec["components"]["schemas"]["CallEvent"]["properties"]
    assert "EventType" in spec["components"]["schemas"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(spec["paths"])


async def test_metrics_count_refusals_and_unavailability(
    unreachable_client: httpx.AsyncClient,
) -> None:
    await unreachable_client.post("/v1/events", content=b"nope")
    await unreachable_client.post("/v1/events", json={"call_id": "c"})
    response = await unreachable_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'hotline_ingest_bodies_rejected_total{reason="body_not_json"} 1.0' in text
    assert "hotline_ingest_kafka_unavailable_total 1.0" in text
    assert "hotline_ingest_kafka_ready 0.0" in text


@pytest.mark.integration
async def test_readyz_200_with_kafka(kafka_client: httpx.AsyncClient) -> None:
    assert (await kafka_client.get("/readyz")).status_code == 200


@pytest.mark.integration
async def test_202_for_valid_batch(
    kafka_client: httpx.AsyncClient, make_event: EventFactory
) -> None:
    response = await kafka_client.post("/v1/events", json=[make_event(1), make_event(2)])
    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, [])


@pytest.mark.integration
async def test_422_mixed_batch_says_what_was_accepted(
    kafka_client: httpx.AsyncClient, make_event: EventFactory
) -> None:
    items = [make_event(1), make_event(2, type="ringing"), make_event(3)]
    response = await kafka_client.post("/v1/events", json=items)
    assert response.status_code == 422
    body = response.json()
    assert body["accepted"] == 2
    (rejected,) = body["rejected"]
    assert rejected["index"] == 1
    assert rejected["line"] is None
    assert rejected["reason"].startswith("item 1: type:")
    assert rejected["errors"][0]["field"] == "type"
    assert "2 valid event(s) were accepted and acknowledged" in body["detail"]


@pytest.mark.integration
async def test_metrics_after_accepted_request(
    kafka_client: httpx.AsyncClient, make_event: EventFactory
) -> None:
    await kafka_client.post("/v1/events", json=[make_event(1), {"bad": 1}])
    text = (await kafka_client.get("/metrics")).text
    assert "hotline_ingest_events_received_total 2.0" in text
    assert "hotline_ingest_events_accepted_total 1.0" in text
    assert "hotline_ingest_dead_letters_total 1.0" in text
    assert 'hotline_ingest_events_rejected_total{reason="missing"} 1.0' in text
    assert "hotline_ingest_produce_seconds_count 1.0" in text
    assert "hotline_ingest_kafka_ready 1.0" in text
