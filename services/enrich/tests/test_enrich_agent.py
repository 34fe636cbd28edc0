"""The Faust wiring, driven through `agent.test_context()` with in-memory output channels."""

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
from hotline_enrich.handler import Outputs
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.settings import Settings
from hotline_schemas import DeadLetter, EnrichedEvent, paths
from hotline_schemas.privacy import KeyRing, new_key, unseal
from hotline_schemas.reference_data import Municipality, PostcodeTable
from hotline_schemas.rules import Rules

VALID = (paths.EXAMPLES_DIR / "call-event/valid/offered-aarhus.json").read_bytes()
SECRET = "a-test-secret-of-some-length"
DEAD_LETTER_KEYS = new_key()


class Captured:
    """In-memory Faust channels standing in for the output topics, plus a reader for each."""

    def __init__(self) -> None:
        self.outputs: Outputs | None = None
        self._readers: dict[str, Any] = {}

    def build(self, app: faust.App) -> Outputs:
        self.outputs = Outputs(enriched=app.channel(), dead_letter=app.channel())
        # A channel only delivers to subscribers that exist when a value is sent.
        self._readers = {
            "enriched": self.outputs.enriched.clone(is_iterator=True),
            "dead_letter": self.outputs.dead_letter.clone(is_iterator=True),
        }
        return self.outputs

    async def get(self, which: str) -> Any:
        return await self._readers[which].get(timeout=5)

    def empty(self, which: str) -> bool:
        return bool(self._readers[which].empty())


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    # The weekly hours without the pilot's holidays: the example events are from Easter Sunday.
    weekly = tmp_path / "weekly.json"
    weekly.write_text("{}", encoding="utf-8")
    return Settings(
        rules=Rules(schedule_file=weekly),
        pseudonym_secret=SECRET,
        app_id="hotline-enrich-test",
        raw_topic="t.raw",
        enriched_topic="t.enriched",
        dead_letter_topic="t.raw.dlq",
        state_dir=tmp_path,
        dead_letter_keys=DEAD_LETTER_KEYS,
    )


def _wire(settings: Settings) -> tuple[faust.App, Captured, EnrichMetrics]:
    # Built inside the running event loop, so Faust binds to it rather than creating its own.
    captured = Captured()
    metrics = EnrichMetrics(CollectorRegistry())
    app = create_app(settings, load_context(settings), metrics=metrics, outputs=captured.build)
    return app, captured, metrics


def _close_consumer_loop(app: faust.App) -> None:
    # Iterating a stream creates the app's Kafka consumer (never started in a test context);
    # its consumer thread owns an event loop of its own, which nobody else closes.
    thread = getattr(app.consumer, "_thread", None)
    loop = getattr(thread, "thread_loop", None)
    if loop is not None and not loop.is_closed():
        loop.close()


def test_valid_payload_is_enriched_and_keyed_by_call_id(settings: Settings) -> None:
    async def scenario() -> Any:
        app, captured, metrics = _wire(settings)
        async with app.agents[AGENT_NAME].test_context() as agent:
            event = await agent.put(VALID, key=b"call-0001")
            result = await captured.get("enriched"), captured.empty("dead_letter"), metrics
        _close_consumer_loop(app)
        return (*result, event.message.acked)

    out, no_dead_letters, metrics, acked = asyncio.run(scenario())
    assert acked is True  # by the delivery callback
    assert no_dead_letters
    assert out.key == b"call-0001"
    enriched = EnrichedEvent.model_validate_json(out.value)
    assert enriched.event_id == "evt-0001"
    assert enriched.municipality_code == 751
    assert enriched.within_hours is True
    assert enriched.caller_key is not None
    assert b"+4586123456" not in out.value
    assert metrics.registry.get_sample_value("hotline_enrich_events_enriched_total") == 1.0


def test_invalid_payloads_become_dead_letters_with_their_source(settings: Settings) -> None:
    not_a_contract = orjson.dumps({**orjson.loads(VALID), "colour": "blue"})

    async def scenario() -> Any:
        app, captured, metrics = _wire(settings)
        async with app.agents[AGENT_NAME].test_context() as agent:
            await agent.put(b"\xffnot json", key=b"k1")
            await agent.put(not_a_contract, key=b"k2")
            await agent.put(VALID, key=b"call-0001")
            result = (
                [await captured.get("dead_letter"), await captured.get("dead_letter")],
                await captured.get("enriched"),
                metrics,
            )
        _close_consumer_loop(app)
        return result

    letters, enriched, metrics = asyncio.run(scenario())
    first, second = (DeadLetter.model_validate_json(e.value) for e in letters)
    assert first.stage == "enrich"
    assert first.reason.startswith("invalid JSON")
    assert first.payload.endswith("not json")
    assert (first.source_topic, first.source_partition, first.source_offset) == ("t.raw", 0, 0)
    assert second.source_offset == 1
    assert any(item["field"] == "colour" for item in second.errors)
    assert '"colour"' in second.payload
    # The caller number is in the rejected event: masked for people, sealed for a replay.
    assert b"+4586123456" in not_a_contract
    assert "4586123456" not in letters[1].value.decode()
    assert '"caller_number":"+##########"' in second.payload
    keys = KeyRing.parse(DEAD_LETTER_KEYS)
    assert unseal(second, keys) == not_a_contract
    assert unseal(first, keys) == b"\xffnot json"
    assert letters[0].key == b"k1"
    assert EnrichedEvent.model_validate_json(enriched.value).event_id == "evt-0001"
    sample = metrics.registry.get_sample_value
    assert sample("hotline_enrich_events_consumed_total") == 3.0
    assert sample("hotline_enrich_events_dead_lettered_total") == 2.0
    assert sample("hotline_enrich_events_enriched_total") == 1.0


class _UnacknowledgedChannel(faust.Channel[bytes]):
    """An in-memory channel whose every send fails, as a produce Kafka never acknowledged."""

    async def _finalize_message(self, fut: Any, result: Any) -> Any:
        fut.set_exception(OSError("broker did not acknowledge"))
        return fut


def test_failed_produce_never_acks_and_stops_the_agent(settings: Settings) -> None:
    async def scenario() -> tuple[Any, Any, BaseException | None, EnrichMetrics]:
        metrics = EnrichMetrics(CollectorRegistry())

        def failing(app: faust.App) -> Outputs:
            return Outputs(enriched=_UnacknowledgedChannel(app), dead_letter=app.channel())

        app = create_app(settings, load_context(settings), metrics=metrics, outputs=failing)
        raised: BaseException | None = None
        async with app.agents[AGENT_NAME].test_context() as agent:
            first = await agent.put(VALID, key=b"call-0001")
            await asyncio.sleep(0)  # let the delivery callback run
            try:
                await agent.put(VALID, key=b"call-0001")
            except Exception as exc:
                raised = exc
        _close_consumer_loop(app)
        return first, agent, raised, metrics

    first, _, raised, metrics = asyncio.run(scenario())
    assert first.message.acked is False
    assert type(raised).__name__ == "DeliveryFailedError"
    sample = metrics.registry.get_sample_value
    assert sample("hotline_enrich_produce_failures_total") == 1.0
    assert sample("hotline_enrich_events_enriched_total") in (None, 0.0)


class _BrokenPostcodes(PostcodeTable):
    """Reference data that fails on one postcode: a value the contract accepts but this
    stage cannot process (as a year-9999 timestamp once stopped enrich for good)."""

    def lookup(self, postcode: str | None) -> Municipality:
        if postcode == "6666":
            raise OverflowError("date value out of range")
        return super().lookup(postcode)


def test_an_event_the_stage_cannot_process_is_dead_lettered_and_the_next_goes_on(
    settings: Settings,
) -> None:
    poison = orjson.dumps({**orjson.loads(VALID), "event_id": "poison", "caller_postcode": "6666"})

    async def scenario() -> Any:
        captured = Captured()
        metrics = EnrichMetrics(CollectorRegistry())
        ctx = dataclasses.replace(load_context(settings), postcodes=_BrokenPostcodes.load())
        app = create_app(settings, ctx, metrics=metrics, outputs=captured.build)
        async with app.agents[AGENT_NAME].test_context() as agent:
            bad = await agent.put(poison, key=b"call-0001")
            good = await agent.put(VALID, key=b"call-0001")
            result = (
                await captured.get("dead_letter"),
                await captured.get("enriched"),
                bad.message.acked,
                good.message.acked,
                metrics,
            )
        _close_consumer_loop(app)
        return result

    letter_msg, enriched, bad_acked, good_acked, metrics = asyncio.run(scenario())
    letter = DeadLetter.model_validate_json(letter_msg.value)
    assert letter.stage == "enrich"
    assert "could not process" in letter.reason
    assert "OverflowError" in letter.reason
    assert '"poison"' in letter.payload
    assert EnrichedEvent.model_validate_json(enriched.value).event_id == "evt-0001"
    assert (bad_acked, good_acked) == (True, True)  # both may be committed: nothing blocks
    assert metrics.registry.get_sample_value("hotline_enrich_processing_failures_total") == 1.0
