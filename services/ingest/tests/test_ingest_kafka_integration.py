"""Ingest against the real Kafka broker: what lands on the raw and dead-letter topics."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from hotline_ingest.settings import Settings
from hotline_schemas import AgentEvent, CallEvent, CallEventV2, DeadLetter, parse_call_event
from hotline_schemas.privacy import KeyRing, unseal
from hotline_simulator.signing import Signer

EventFactory = Callable[..., dict[str, Any]]
UNSIGNED = httpx.Auth()  # httpx's no-op auth: the request goes out without a signature
Consume = Callable[[str, int], list[Any]]

# kafka-python's import-time DeprecationWarning, see conftest.py.
KAFKA_IMPORT = r"ignore:\w+ is deprecated. Use files\(\) instead:DeprecationWarning"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.anyio,
    pytest.mark.filterwarnings(KAFKA_IMPORT),
]


def _calls(make_event: EventFactory) -> list[dict[str, Any]]:
    """Three calls of three events each, interleaved as a provider would send them."""
    steps = ("offered", "answered", "ended")
    return [
        make_event(n=call * 10 + i, call=f"call-{call}", type=step)
        for i, step in enumerate(steps)
        for call in range(3)
    ]


async def test_single_array_and_ndjson_land_keyed_by_call_id(
    serve: Any, kafka_settings: Settings, consume: Consume, make_event: EventFactory
) -> None:
    events = _calls(make_event)
    async with serve(kafka_settings) as client:
        single = await client.post("/v1/events", json=events[0])
        array = await client.post("/v1/events", json=events[1:5])
        ndjson = b"\n".join(orjson.dumps(e) for e in events[5:]) + b"\n"
        lines = await client.post(
            "/v1/events", content=ndjson, headers={"content-type": "application/x-ndjson"}
        )
    assert [r.status_code for r in (single, array, lines)] == [202, 202, 202]
    assert [r.json()["accepted"] for r in (single, array, lines)] == [1, 4, 4]

    records = consume(kafka_settings.raw_topic, len(events))
    assert len(records) == len(events)
    received = {}
    partitions: dict[str, set[int]] = {}
    for record in records:
        event = CallEvent.model_validate_json(record.value)
        assert record.key == event.call_id.encode()
        received[event.event_id] = event
        partitions.setdefault(event.call_id, set()).add(record.partition)
    assert received == {e["event_id"]: CallEvent.model_validate(e) for e in events}
    # Every event of a call on one partition, so consumers see a call's events in order.
    assert all(len(p) == 1 for p in partitions.values())
    by_call = [[r for r in records if r.key == f"call-{c}".encode()] for c in range(3)]
    for call_records in by_call:
        types = [CallEvent.model_validate_json(r.value).type for r in call_records]
        assert types == ["offered", "answered", "ended"]


async def test_mixed_batch_valid_to_raw_invalid_to_dead_letters(
    serve: Any, kafka_settings: Settings, consume: Consume, make_event: EventFactory
) -> None:
    good = [make_event(1, call="call-a"), make_event(2, call="call-b")]
    bad_type = make_event(3, call="call-a", type="ringing")
    body = (
        orjson.dumps(good[0])
        + b"\n{broken json\n\n"
        + orjson.dumps(bad_type)
        + b"\n"
        + orjson.dumps(good[1])
    )
    async with serve(kafka_settings) as client:
        response = await client.post(
            "/v1/events", content=body, headers={"content-type": "application/x-ndjson"}
        )
    assert response.status_code == 422
    result = response.json()
    assert result["accepted"] == 2
    assert [(r["index"], r["line"]) for r in result["rejected"]] == [(1, 2), (2, 4)]
    assert result["rejected"][0]["reason"].startswith("line 2: not valid JSON")
    assert result["rejected"][1]["reason"].startswith("line 4: type:")

    raw = consume(kafka_settings.raw_topic, 2)
    assert sorted(CallEvent.model_validate_json(r.value).event_id for r in raw) == [
        "evt-1",
        "evt-2",
    ]
    dead = consume(kafka_settings.dead_letter_topic, 2)
    assert len(dead) == 2
    keys = KeyRing.from_setting(kafka_settings.dead_letter_keys)
    for record in dead:  # the caller number is in the rejected item, never readable here
        assert b"4586123456" not in record.value
    letters = {unseal(DeadLetter.model_validate_json(r.value), keys).decode(): r for r in dead}
    broken = DeadLetter.model_validate_json(letters["{broken json"].value)
    assert broken.stage == "ingest"
    assert broken.reason.startswith("line 2: not valid JSON")
    assert letters["{broken json"].key is None
    typed_record = letters[orjson.dumps(bad_type).decode()]
    typed = DeadLetter.model_validate_json(typed_record.value)
    assert typed.reason.startswith("line 4: type:")
    assert typed.errors[0]["field"] == "type"
    assert typed_record.key == b"call-a"


@asynccontextmanager
async def _tcp_forwarder(port: int, target: str) -> AsyncIterator[None]:
    """Kafka appearing at `port` (a plain byte pipe to the real broker) for the block."""
    host, _, target_port = target.rpartition(":")
    writers: list[asyncio.StreamWriter] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, int(target_port))
        writers.extend((writer, up_writer))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()


async def test_starts_without_kafka_then_connects_in_the_background(
    serve: Any,
    kafka_settings: Settings,
    consume: Consume,
    make_event: EventFactory,
    free_port: Callable[[], int],
) -> None:
    port = free_port()
    settings = kafka_settings.model_copy(
        update={
            "kafka": kafka_settings.kafka.model_copy(
                update={"bootstrap_servers": f"127.0.0.1:{port}"}
            ),
            "connect_timeout_seconds": 0.5,
            "reconnect_backoff_seconds": 0.2,
            "ready_check_seconds": 0.2,
        }
    )
    async with serve(settings) as client:
        assert (await client.get("/readyz")).status_code == 503
        refused = await client.post("/v1/events", json=make_event(1))
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == str(settings.retry_after_seconds)
        async with _tcp_forwarder(port, kafka_settings.kafka.bootstrap_servers):
            deadline = time.monotonic() + 20
            while (await client.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "no reconnect within 20 s"
                await asyncio.sleep(0.2)
            accepted = await client.post("/v1/events", json=make_event(1))
            assert accepted.status_code == 202
    (record,) = consume(kafka_settings.raw_topic, 1)
    assert CallEvent.model_validate_json(record.value).event_id == "evt-1"


def _wait_ready(url: str, proc: subprocess.Popen[bytes], deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the ingest server exited early"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"ingest at {url} not ready within {deadline_s} s")


def test_entry_point_serves_and_produces(
    kafka_settings: Settings,
    consume: Consume,
    make_event: EventFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    free_port: Callable[[], int],
) -> None:
    port = free_port()
    # The child inherits the environment: configure it exactly as an operator would.
    monkeypatch.setenv("HOTLINE_INGEST_PORT", str(port))
    monkeypatch.setenv("HOTLINE_KAFKA__BOOTSTRAP_SERVERS", kafka_settings.kafka.bootstrap_servers)
    monkeypatch.setenv("HOTLINE_INGEST_RAW_TOPIC", kafka_settings.raw_topic)
    monkeypatch.setenv("HOTLINE_INGEST_DEAD_LETTER_TOPIC", kafka_settings.dead_letter_topic)
    (secret,) = kafka_settings.webhook_secrets()
    monkeypatch.setenv("HOTLINE_INGEST_WEBHOOK_SECRET", secret)
    monkeypatch.delenv("HOTLINE_DEV", raising=False)
    log_path = tmp_path / "ingest.log"
    with log_path.open("wb") as log:
        # The venv's interpreter: what `uv run python -m hotline_ingest` starts.
        proc = subprocess.Popen([sys.executable, "-m", "hotline_ingest"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, 30)
        body = orjson.dumps(make_event(7))
        unsigned = httpx.post(f"{url}/v1/events", content=body, timeout=15)
        assert unsigned.status_code == 401, unsigned.text
        headers = {"content-type": "application/json", **Signer(secret).headers(body)}
        response = httpx.post(f"{url}/v1/events", content=body, headers=headers, timeout=15)
        assert response.status_code == 202, response.text
        metrics = httpx.get(f"{url}/metrics", timeout=5).text
        assert "hotline_ingest_events_accepted_total 1.0" in metrics
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log_text = log_path.read_text(errors="replace")
    assert proc.returncode == 0, log_text
    assert "webhook signatures required on every POST (1 secret(s)" in log_text
    (record,) = consume(kafka_settings.raw_topic, 1)
    assert record.key == b"call-1"


async def test_v2_call_events_and_agent_events_land_on_their_own_topics(
    serve: Any,
    kafka_settings: Settings,
    consume: Consume,
    make_event: EventFactory,
    make_agent_event: EventFactory,
) -> None:
    v2 = make_event(2, schema_version=2, type="abandoned", end_reason="caller_hangup")
    agents = [
        make_agent_event(1, agent="agent-a"),
        make_agent_event(2, agent="agent-b", type="paused", reason="break"),
        make_agent_event(3, agent="agent-a", type="logged_out"),
    ]
    bad_agent = make_agent_event(4, agent="agent-b", type="napping")
    async with serve(kafka_settings) as client:
        calls = await client.post("/v1/events", json=[make_event(1), v2])
        ndjson = b"\n".join(orjson.dumps(a) for a in [*agents, bad_agent])
        agent_answer = await client.post(
            "/v1/agent-events", content=ndjson, headers={"content-type": "application/x-ndjson"}
        )
    assert calls.status_code == 202, calls.text
    assert agent_answer.status_code == 422, agent_answer.text
    body = agent_answer.json()
    assert body["accepted"] == 3
    (rejected,) = body["rejected"]
    assert (rejected["line"], rejected["errors"][0]["field"]) == (4, "type")

    raw = consume(kafka_settings.raw_topic, 2)
    by_id = {e.event_id: e for e in (parse_call_event(r.value) for r in raw)}
    assert type(by_id["evt-2"]) is CallEventV2  # produced as sent: v2 stays v2
    assert type(by_id["evt-1"]) is CallEvent
    records = consume(kafka_settings.agent_topic, 3)
    assert sorted((r.key, AgentEvent.model_validate_json(r.value).event_id) for r in records) == [
        (b"agent-a", "agent-evt-1"),
        (b"agent-a", "agent-evt-3"),
        (b"agent-b", "agent-evt-2"),
    ]
    (letter,) = consume(kafka_settings.agent_dead_letter_topic, 1)
    assert letter.key == b"agent-b"
    assert DeadLetter.model_validate_json(letter.value).reason.startswith("line 4: type:")
    assert consume(kafka_settings.dead_letter_topic, 0) == []  # call rejects stay separate


async def test_a_redelivered_webhook_id_is_answered_again_without_producing_twice(
    serve: Any, kafka_settings: Settings, consume: Consume, make_event: EventFactory
) -> None:
    body = b"\n".join(orjson.dumps(e) for e in [make_event(1), make_event(2, type="ringing")])
    (secret,) = kafka_settings.webhook_secrets()
    signer = Signer(secret)
    ndjson = {"content-type": "application/x-ndjson"}
    async with serve(kafka_settings) as client:

        async def deliver(webhook_id: str) -> Any:
            # Each attempt is signed anew (a new timestamp), as a provider's retry is.
            headers = {**ndjson, **signer.headers(body, webhook_id)}
            return await client.post("/v1/events", content=body, headers=headers, auth=UNSIGNED)

        first = await deliver("msg_first")
        again = await deliver("msg_first")
        other = await deliver("msg_other")
        metrics = (await client.get("/metrics")).text
    assert first.status_code == again.status_code == other.status_code == 422
    assert again.json() == first.json()
    assert "hotline_ingest_redeliveries_total 1.0" in metrics
    # msg_first once, msg_other once: two of each, not three (storage dedups msg_other's).
    raw = consume(kafka_settings.raw_topic, 2)
    assert [r.key for r in raw] == [b"call-1", b"call-1"]
    assert len(consume(kafka_settings.dead_letter_topic, 2)) == 2


async def test_poison_inputs_are_422_with_the_field_and_never_reach_the_raw_topic(
    serve: Any, kafka_settings: Settings, consume: Consume, make_event: EventFactory
) -> None:
    good = orjson.dumps(make_event(1, call="call-good"))
    text = good.decode()
    poison = {
        "schema_version_true": make_event(2, schema_version=True),
        "integer_occurred_at": make_event(3, occurred_at=1357581600),
        "year_9999": make_event(4, occurred_at="9999-12-31T23:59:59Z"),
        "year_1_plus_14": make_event(5, occurred_at="0001-01-01T00:00:00+14:00"),
        "far_future": make_event(6, occurred_at="2099-01-01T00:00:00Z"),
        "nul_char": make_event(7, caller_postcode="80\x0000"),
    }
    duplicate = text.replace('"type":"offered"', '"type":"ended","type":"offered"')
    lines = [good, *(orjson.dumps(p) for p in poison.values()), duplicate.encode()]
    async with serve(kafka_settings) as client:
        answer = await client.post(
            "/v1/events", content=b"\n".join(lines), headers={"content-type": "application/jsonl"}
        )
    assert answer.status_code == 422, answer.text
    result = answer.json()
    assert result["accepted"] == 1
    assert [
        (r["line"], r["errors"][0]["field"], r["errors"][0]["type"]) for r in result["rejected"]
    ] == [
        (2, "schema_version", "schema_version"),
        (3, "occurred_at", "value_error"),
        (4, "occurred_at", "value_error"),
        (5, "occurred_at", "value_error"),
        (6, "occurred_at", "too_far_in_future"),
        (7, "caller_postcode", "nul_char"),
        (8, "type", "duplicate_key"),
    ]
    (record,) = consume(kafka_settings.raw_topic, 1)
    assert record.key == b"call-good"
    letters = consume(kafka_settings.dead_letter_topic, 7)
    assert len(letters) == 7
    assert {DeadLetter.model_validate_json(r.value).reason.split(":")[0] for r in letters} == {
        f"line {n}" for n in range(2, 9)
    }
