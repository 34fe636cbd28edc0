"""HTTP behaviour of the ingest app, always with the real kafka-python producer.

Tests without the integration mark point the producer at a closed port (Kafka unreachable):
they cover what never needs Kafka (401/400/413/415, health, OpenAPI) and the 503 path. Tests
with the mark use the real broker and unique topics. Clients sign every request unless a
request says `auth=UNSIGNED`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from pydantic import SecretStr

from hotline_ingest.settings import Settings
from hotline_ingest.signing import UnsignedRefusedError
from hotline_simulator.signing import Signer, WebhookAuth, new_secret

EventFactory = Callable[..., dict[str, Any]]
UNSIGNED = httpx.Auth()  # httpx's no-op auth: the request goes out without a signature
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
        (b"this is not json", "application/json", 400, "body is not JSON: "),
        (b"", "application/json", 400, "body is empty"),
        (b"[]", "application/json", 422, "holds no events"),
        (b"[" * 300 + b"]" * 300, "application/json", 400, "nested 300 levels deep"),
        (b'{"call_id": "\x00"}', "application/json", 400, "NUL byte (at byte 13)"),
        (b"{}", "text/plain", 415, "'text/plain' is not accepted"),
        (b"{}", "application/json; charset=iso-8859-1", 415, "is not accepted"),
        (b"{}", "", 415, "Content-Type is missing"),
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


async def test_413_for_chunked_body_without_content_length(
    small_client: httpx.AsyncClient, webhook_secret: str
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100

    # Signed up front: the client's signing auth would read the stream into one piece.
    headers = Signer(webhook_secret).headers(b" " * 2000)
    response = await small_client.post(
        "/v1/events",
        content=chunks(),
        headers={"content-type": "application/json", **headers},
        auth=UNSIGNED,
    )
    assert response.status_code == 413
    assert "body too large: at least 1100 bytes" in response.json()["detail"]


async def test_413_for_too_many_items(
    small_client: httpx.AsyncClient, make_event: EventFactory
) -> None:
    response = await small_client.post("/v1/events", json=[{"a": n} for n in range(4)])
    assert response.status_code == 413
    assert "too many items: 4 > 3" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/events", "/v1/agent-events"])
async def test_openapi_says_what_is_accepted(
    unreachable_client: httpx.AsyncClient, path: str
) -> None:
    spec = (await unreachable_client.get("/openapi.json")).json()
    post = spec["paths"][path]["post"]
    assert set(post["responses"]) == {"202", "400", "401", "413", "415", "422", "503"}
    content = post["requestBody"]["content"]
    assert set(content) == {
        "application/json",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
    }
    batch = content["application/json"]["schema"]["oneOf"][1]
    assert (batch["minItems"], batch["maxItems"]) == (1, 10_000)
    assert "16 levels of nesting" in post["requestBody"]["description"]
    headers = {p["name"]: p["required"] for p in post["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id": True, "webhook-timestamp": True}
    assert post["security"] == [{"StandardWebhooks": []}]
    scheme = spec["components"]["securitySchemes"]["StandardWebhooks"]
    assert (scheme["in"], scheme["name"]) == ("header", "webhook-signature")
    schemas = spec["components"]["schemas"]
    item = orjson.dumps(content["application/json"]).decode()
    if path == "/v1/events":
        assert "CallEventV2" in item
        assert "end_reason" in schemas["CallEventV2"]["properties"]
    else:
        assert "AgentEvent" in item
        assert "agent_id" in schemas["AgentEvent"]["properties"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(spec["paths"])


async def test_openapi_of_an_unsigned_instance_asks_for_no_signature(
    unreachable_settings: Settings, serve: Any
) -> None:
    settings = unreachable_settings.model_copy(update={"webhook_secret": None, "dev": True})
    async with serve(settings) as client:
        spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/v1/events"]["post"]
    assert "401" not in post["responses"]
    assert "security" not in post
    assert "securitySchemes" not in spec["components"]


async def test_metrics_count_refusals_and_unavailability(
    unreachable_client: httpx.AsyncClient,
) -> None:
    await unreachable_client.post("/v1/events", content=b"nope")
    await unreachable_client.post(
        "/v1/events", content=b"nope", headers={"content-type": "application/json"}
    )
    await unreachable_client.post("/v1/events", json={"call_id": "c"})
    await unreachable_client.post("/v1/agent-events", json={"agent_id": "a"}, auth=UNSIGNED)
    response = await unreachable_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'hotline_ingest_bodies_rejected_total{reason="unsupported_media_type"} 1.0' in text
    assert 'hotline_ingest_bodies_rejected_total{reason="body_not_json"} 1.0' in text
    assert 'hotline_ingest_unauthorized_total{reason="unsigned"} 1.0' in text
    assert "hotline_ingest_kafka_unavailable_total 1.0" in text
    assert "hotline_ingest_kafka_ready 0.0" in text


# --- signatures: checked before anything else -------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/events", "/v1/agent-events"])
async def test_unsigned_requests_get_401_before_anything_else(
    unreachable_client: httpx.AsyncClient, make_event: EventFactory, path: str
) -> None:
    # Kafka is unreachable: a request that got past the signature check would be a 503.
    response = await unreachable_client.post(path, json=make_event(1), auth=UNSIGNED)
    assert response.status_code == 401
    assert (
        "unsigned request: header(s) webhook-id, webhook-timestamp, webhook-signature"
        in (response.json()["detail"])
    )
    assert response.headers["www-authenticate"].startswith("StandardWebhooks")


async def test_unsigned_401_comes_before_the_size_and_type_checks(
    small_client: httpx.AsyncClient,
) -> None:
    response = await small_client.post("/v1/events", content=b"x" * 5000, auth=UNSIGNED)
    assert response.status_code == 401


async def test_wrong_secret_stale_and_tampered_requests_get_401(
    unreachable_client: httpx.AsyncClient, make_event: EventFactory, webhook_secret: str
) -> None:
    body = orjson.dumps(make_event(1))
    json_type = {"content-type": "application/json"}

    async def post(headers: dict[str, str], content: bytes = body) -> httpx.Response:
        return await unreachable_client.post(
            "/v1/events", content=content, headers={**json_type, **headers}, auth=UNSIGNED
        )

    wrong = await post(Signer(new_secret()).headers(body))
    assert wrong.status_code == 401
    assert "webhook-signature does not match" in wrong.json()["detail"]
    old = datetime.now(UTC) - timedelta(minutes=6)
    stale = await post(Signer(webhook_secret).headers(body, at=old))
    assert stale.status_code == 401
    assert "more than 5 minutes in the past" in stale.json()["detail"]
    tampered = await post(Signer(webhook_secret).headers(body), body.replace(b"evt-1", b"evt-2"))
    assert tampered.status_code == 401
    signed = await post(Signer(webhook_secret).headers(body))
    assert signed.status_code == 503  # past the signature: only Kafka is missing


async def test_the_app_will_not_be_built_without_a_secret(unreachable_settings: Settings) -> None:
    from hotline_ingest.app import create_app

    with pytest.raises(UnsignedRefusedError, match="HOTLINE_INGEST_WEBHOOK_SECRET is not set"):
        create_app(unreachable_settings.model_copy(update={"webhook_secret": None}))


async def test_dev_mode_takes_unsigned_requests(
    unreachable_settings: Settings, serve: Any, make_event: EventFactory
) -> None:
    settings = unreachable_settings.model_copy(update={"webhook_secret": None, "dev": True})
    async with serve(settings) as client:
        response = await client.post("/v1/events", json=make_event(1))
    assert response.status_code == 503  # past the (absent) signature check


async def test_a_rotation_accepts_either_secret(
    unreachable_settings: Settings, serve: Any, make_event: EventFactory, webhook_secret: str
) -> None:
    new = new_secret()
    settings = unreachable_settings.model_copy(
        update={"webhook_secret": SecretStr(f"{webhook_secret} {new}")}
    )
    async with serve(settings) as client:
        old_signed = await client.post("/v1/events", json=make_event(1))
        new_signed = await client.post(
            "/v1/events", json=make_event(1), auth=WebhookAuth(Signer(new))
        )
    assert (old_signed.status_code, new_signed.status_code) == (503, 503)


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
    assert 'hotline_ingest_events_rejected_total{reason="schema_version"} 1.0' in text
    assert "hotline_ingest_produce_seconds_count 1.0" in text
    assert "hotline_ingest_kafka_ready 1.0" in text


def test_a_malformed_or_stale_timestamp_is_refused_before_the_body_is_read() -> None:
    from hotline_ingest.signing import SignatureError, Verifier
    from hotline_simulator.signing import new_secret

    verifier = Verifier([new_secret()])
    headers = {"webhook-id": "msg_1", "webhook-signature": "v1,AAAA"}
    for timestamp, label in (("yesterday", "bad_timestamp"), ("1364751060", "stale")):
        with pytest.raises(SignatureError) as caught:
            verifier.webhook_id({**headers, "webhook-timestamp": timestamp})
        assert caught.value.label == label
