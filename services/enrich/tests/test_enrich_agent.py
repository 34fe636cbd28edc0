"""The Faust wiring, driven through `agent.test_context()` with an in-memory producer."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import faust
import orjson
import pytest
from prometheus_client import CollectorRegistry

from hotline_enrich.app import AGENT_NAME, create_app
from hotline_enrich.context import load_context
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.reference import Municipality, PostcodeTable
from hotline_enrich.settings import Settings
from hotline_schemas import DeadLetter, EnrichedEvent, paths
from hotline_schemas.privacy import KeyRing, new_key, unseal

VALID = (paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_bytes()
SECRET = "a-test-secret-of-some-length"
DEAD_LETTER_KEYS = new_key()


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(
        pseudonym_secret=SECRET,
        app_id="hotline-enrich-test",
        raw_topic="t.raw",
        enriched_topic="t.enriched",
        dead_letter_topic="t.raw.dlq",
        records_topic="t.records",
        state_dir=tmp_path,
        dead_letter_keys=DEAD_LETTER_KEYS,
    )


def _wire(settings: Settings, captured: Any, ctx: Any = None) -> tuple[faust.App, EnrichMetrics]:
    # Built inside the running event loop, so Faust binds to it rather than creating its own.
    metrics = EnrichMetrics(CollectorRegistry())
    app = create_app(
        settings, ctx or load_context(settings), metrics=metrics, wiring=captured.wiring()
    )
    return app, metrics


def test_valid_payload_is_enriched_and_keyed_by_call_id(settings: Settings, captured: Any) -> None:
    async def scenario() -> Any:
        app, metrics = _wire(settings, captured)
        async with app.agents[AGENT_NAME].test_context() as agent:
            event = await agent.put(VALID, key=b"call-0001")
            assert event.message.acked is False  # not before its outputs are delivered
            await captured.flush(app)
        captured.close(app)
        return metrics, event.message.acked

    metrics, acked = asyncio.run(scenario())
    assert acked is True  # by the delivery callback
    assert captured.on("t.raw.dlq") == []
    ((key, value),) = captured.on("t.enriched")
    assert key == b"call-0001"
    assert value is not None
    enriched = EnrichedEvent.model_validate_json(value)
    assert enriched.event_id == "evt-0001"
    assert enriched.municipality_code == 751
    assert enriched.within_hours is True
    assert enriched.caller_key is not None
    assert b"+4586123456" not in value
    assert metrics.registry.get_sample_value("hotline_enrich_events_enriched_total") == 1.0


def test_invalid_payloads_become_dead_letters_with_their_source(
    settings: Settings, captured: Any
) -> None:
    not_a_contract = orjson.dumps({**orjson.loads(VALID), "colour": "blue"})

    async def scenario() -> Any:
        app, metrics = _wire(settings, captured)
        async with app.agents[AGENT_NAME].test_context() as agent:
            await agent.put(b"\xffnot json", key=b"k1")
            await agent.put(not_a_contract, key=b"k2")
            await agent.put(VALID, key=b"call-0001")
            await captured.flush(app)
        captured.close(app)
        return metrics

    metrics = asyncio.run(scenario())
    letters = captured.on("t.raw.dlq")
    first, second = (DeadLetter.model_validate_json(value or b"") for _, value in letters)
    assert first.stage == "enrich"
    assert first.reason.startswith("invalid JSON")
    assert first.payload.endswith("not json")
    assert (first.source_topic, first.source_partition, first.source_offset) == ("t.raw", 0, 0)
    assert second.source_offset == 1
    assert any(item["field"] == "colour" for item in second.errors)
    assert '"colour"' in second.payload
    # The caller number is in the rejected event: masked for people, sealed for a replay.
    assert b"+4586123456" in not_a_contract
    assert "4586123456" not in (letters[1][1] or b"").decode()
    assert '"caller_number":"+##########"' in second.payload
    keys = KeyRing.parse(DEAD_LETTER_KEYS)
    assert unseal(second, keys) == not_a_contract
    assert unseal(first, keys) == b"\xffnot json"
    assert letters[0][0] == b"k1"
    ((_, enriched),) = captured.on("t.enriched")
    assert EnrichedEvent.model_validate_json(enriched or b"").event_id == "evt-0001"
    sample = metrics.registry.get_sample_value
    assert sample("hotline_enrich_events_consumed_total") == 3.0
    assert sample("hotline_enrich_events_dead_lettered_total") == 2.0
    assert sample("hotline_enrich_events_enriched_total") == 1.0


def test_failed_produce_never_acks_and_stops_the_agent(settings: Settings, captured: Any) -> None:
    failing = captured
    failing.fail_topic = "t.enriched"  # every enriched event goes unacknowledged

    async def scenario() -> tuple[Any, BaseException | None, EnrichMetrics]:
        app, metrics = _wire(settings, failing)
        raised: BaseException | None = None
        async with app.agents[AGENT_NAME].test_context() as agent:
            first = await agent.put(VALID, key=b"call-0001")
            await failing.flush(app)
            try:
                await agent.put(VALID, key=b"call-0001")
            except Exception as exc:
                raised = exc
        failing.close(app)
        return first, raised, metrics

    first, raised, metrics = asyncio.run(scenario())
    assert first.message.acked is False
    assert type(raised).__name__ == "DeliveryFailedError"
    sample = metrics.registry.get_sample_value
    assert sample("hotline_enrich_produce_failures_total") == 1.0


class _BrokenPostcodes(PostcodeTable):
    """Reference data that fails on one postcode: a value the contract accepts but this
    stage cannot process (as a year-9999 timestamp once stopped enrich for good)."""

    def lookup(self, postcode: str | None) -> Municipality:
        if postcode == "6666":
            raise OverflowError("date value out of range")
        return super().lookup(postcode)


def test_an_event_the_stage_cannot_process_is_dead_lettered_and_the_next_goes_on(
    settings: Settings, captured: Any
) -> None:
    poison = orjson.dumps({**orjson.loads(VALID), "event_id": "poison", "caller_postcode": "6666"})

    async def scenario() -> Any:
        ctx = dataclasses.replace(load_context(settings), postcodes=_BrokenPostcodes.load())
        app, metrics = _wire(settings, captured, ctx)
        async with app.agents[AGENT_NAME].test_context() as agent:
            bad = await agent.put(poison, key=b"call-0001")
            good = await agent.put(VALID, key=b"call-0001")
            await captured.flush(app)
        captured.close(app)
        return bad.message.acked, good.message.acked, metrics

    bad_acked, good_acked, metrics = asyncio.run(scenario())
    ((_, letter_value),) = captured.on("t.raw.dlq")
    letter = DeadLetter.model_validate_json(letter_value or b"")
    assert letter.stage == "enrich"
    assert "could not process" in letter.reason
    assert "OverflowError" in letter.reason
    assert '"poison"' in letter.payload
    ((_, enriched),) = captured.on("t.enriched")
    assert EnrichedEvent.model_validate_json(enriched or b"").event_id == "evt-0001"
    assert (bad_acked, good_acked) == (True, True)  # both may be committed: nothing blocks
    assert metrics.registry.get_sample_value("hotline_enrich_processing_failures_total") == 1.0
