"""Call records through the Faust wiring: `agent.test_context()` and an in-memory producer."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from hotline_enrich.app import AGENT_NAME, create_app
from hotline_enrich.call_state import CallState
from hotline_enrich.context import load_context
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.settings import Settings
from hotline_schemas import CallRecord, Outcome

OPEN = datetime(2013, 3, 31, 16, 40, tzinfo=UTC)


def _raw(call_id: str, n: int, type_: str, at: datetime, **extra: Any) -> bytes:
    return json.dumps(
        {
            "schema_version": 1,
            "event_id": f"{call_id}-{n}",
            "call_id": call_id,
            "type": type_,
            "occurred_at": at.isoformat(),
            "line": "+4570200000",
            "caller_postcode": "8000",
            **extra,
        }
    ).encode()


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        pseudonym_secret="a-test-secret-of-some-length",
        app_id="hotline-enrich-records-test",
        raw_topic="t.raw",
        enriched_topic="t.enriched",
        records_topic="t.records",
        state_dir=tmp_path,
        call_timeout_seconds=600,
        sweep_interval_seconds=60,
    )


def test_records_are_emitted_at_the_end_and_on_timeout_and_acked(
    tmp_path: Path, captured: Any
) -> None:
    async def scenario() -> tuple[list[Any], Any, EnrichMetrics]:
        metrics = EnrichMetrics(CollectorRegistry())
        settings = _settings(tmp_path)
        app = create_app(
            settings, load_context(settings), metrics=metrics, wiring=captured.wiring()
        )
        async with app.agents[AGENT_NAME].test_context() as agent:
            put = [
                await agent.put(_raw("a", 1, "offered", OPEN), key=b"a"),
                await agent.put(_raw("b", 1, "offered", OPEN), key=b"b"),
                await agent.put(_raw("a", 2, "answered", OPEN + timedelta(seconds=12)), key=b"a"),
                await agent.put(_raw("a", 1, "offered", OPEN), key=b"a"),  # a duplicate
                await agent.put(_raw("a", 3, "ended", OPEN + timedelta(seconds=90)), key=b"a"),
            ]
            await captured.flush(app)
            # Eleven minutes later (stream time): call b never ended and times out.
            put.append(
                await agent.put(_raw("c", 1, "offered", OPEN + timedelta(minutes=11)), key=b"c")
            )
            await captured.flush(app)
            table = app.tables["call-states"]
            states = {k: CallState.from_bytes(v) for k, v in table.items()}
        captured.close(app)
        return put, states, metrics

    put, states, metrics = asyncio.run(scenario())
    records = captured.on("t.records")
    first, second = (CallRecord.model_validate_json(value or b"") for _, value in records)
    assert records[0][0] == b"a"
    assert (first.call_id, first.outcome, first.wait_seconds) == ("a", Outcome.ANSWERED, 12.0)
    assert first.event_count == 3  # the duplicate counted once
    assert (second.call_id, second.outcome) == ("b", Outcome.NO_AGENT)
    assert second.closed_by_timeout is True
    assert all(event.message.acked for event in put)  # each after all of its sends
    assert len(captured.on("t.enriched")) == len(put)
    # One changelog write per call per batch: a's three events went into the first batch.
    changelog = [k for t, k, _, _ in captured.messages if t.endswith("-call-states-changelog")]
    assert changelog.count(b"a") == 1
    assert set(states) == {b"a", b"b", b"c"}
    assert states[b"b"].timed_out
    assert states[b"a"].emitted
    sample = metrics.registry.get_sample_value
    assert sample("hotline_enrich_call_records_total", {"outcome": "answered"}) == 1.0
    assert sample("hotline_enrich_call_records_total", {"outcome": "no_agent"}) == 1.0
