"""End to end: HTTP in at ingest, enriched row out in ClickHouse, on the real services.

Each service runs as its own process, started exactly as in production (`python -m ...`),
pointed at topics, a consumer group and a database unique to this test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline_enrich.pseudonym import caller_key
from hotline_schemas.privacy import new_key

pytestmark = pytest.mark.integration

SECRET = "e2e-test-secret-0123456789"
NUMBER = "+4586123456"
OFFERED_AT = "2013-03-31T16:30:00Z"  # 18:30 CEST on the Sunday DST began: opening minute


def _event(call: str, n: int, type_: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "event_id": f"{call}-e{n}",
        "call_id": call,
        "type": type_,
        "occurred_at": at,
        "line": "+4570200000",
        **extra,
    }


def _calls(prefix: str) -> list[dict[str, Any]]:
    aarhus = f"{prefix}-aarhus"
    randers = f"{prefix}-randers"
    person = {"caller_number": NUMBER, "caller_postcode": "8000", "ivr_choice": "2"}
    return [
        _event(aarhus, 1, "offered", OFFERED_AT, **person),
        _event(aarhus, 2, "queued", "2013-03-31T16:30:20Z", **person),
        _event(aarhus, 3, "answered", "2013-03-31T16:31:00Z", agent_id="agent-07", **person),
        _event(
            aarhus,
            4,
            "ended",
            "2013-03-31T16:37:00Z",
            agent_id="agent-07",
            wrap_up_code="MITID",
            **person,
        ),
        # A Friday evening, from a neighbouring municipality: closed, outside the catchment.
        _event(randers, 1, "offered", "2013-04-05T17:00:00Z", caller_postcode="8900"),
        _event(randers, 2, "ended", "2013-04-05T17:00:30Z", caller_postcode="8900"),
    ]


@pytest.fixture
def pipeline(
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    clickhouse_env: Callable[..., dict[str, str]],
    clickhouse_database: str,
    unique_name: str,
    tmp_path: Path,
    free_port: Callable[[], int],
    service_processes: Any,
    webhook_secret: str,
) -> tuple[Any, str, str]:
    raw, enriched, records, raw_dlq, enriched_dlq = make_topics(
        f"{unique_name}.raw",
        f"{unique_name}.enriched",
        f"{unique_name}.records",
        f"{unique_name}.raw.dlq",
        f"{unique_name}.enriched.dlq",
    )
    ingest_port = free_port()
    env = {
        **os.environ,
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        **clickhouse_env("writer", clickhouse_database),
        "HOTLINE_PSEUDONYM_SECRET": SECRET,
        "HOTLINE_DEAD_LETTER_KEYS": new_key(),
        "HOTLINE_INGEST_PORT": str(ingest_port),
        "HOTLINE_INGEST_WEBHOOK_SECRET": webhook_secret,
        "HOTLINE_INGEST_RAW_TOPIC": raw,
        "HOTLINE_INGEST_DEAD_LETTER_TOPIC": raw_dlq,
        "HOTLINE_ENRICH_APP_ID": f"{unique_name}-enrich",
        "HOTLINE_ENRICH_RAW_TOPIC": raw,
        "HOTLINE_ENRICH_ENRICHED_TOPIC": enriched,
        "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": raw_dlq,
        "HOTLINE_ENRICH_RECORDS_TOPIC": records,
        "HOTLINE_ENRICH_WEB_PORT": str(free_port()),
        "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
        "HOTLINE_ENRICH_STATE_DIR": str(tmp_path / "enrich"),
        "HOTLINE_SINK_TOPICS": json.dumps([enriched, records]),
        "HOTLINE_SINK_RECORD_TOPICS": json.dumps([records]),
        "HOTLINE_SINK_DEAD_LETTER_TOPIC": enriched_dlq,
        "HOTLINE_SINK_GROUP_ID": f"{unique_name}-sink",
        "HOTLINE_SINK_METRICS_PORT": str(free_port()),
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "hotline_cli", "migrate"], env=env, capture_output=True, timeout=60
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    for name in ("sink", "enrich", "ingest"):
        service_processes.start(name, env)
    return service_processes, f"http://127.0.0.1:{ingest_port}", clickhouse_database


def _rows(database: str, login: Any, table: str = "call_events") -> list[dict[str, Any]]:
    from clickhouse_driver import Client

    key = "event_id" if table == "call_events" else "call_id"
    password = login.password.get_secret_value()
    client = Client(host=login.host, port=login.port, user=login.user, password=password)
    try:
        data, columns = client.execute(
            f"SELECT * FROM {database}.{table} FINAL ORDER BY {key}", with_column_types=True
        )
    finally:
        client.disconnect()
    names = [c[0] for c in columns]
    return [dict(zip(names, row, strict=True)) for row in data]


def test_http_in_enriched_row_out(
    pipeline: tuple[Any, str, str],
    clickhouse_writer: Any,
    unique_name: str,
    webhook_auth: Any,
) -> None:
    pipe, url, database = pipeline
    pipe.wait_http(f"{url}/readyz")
    events = _calls(unique_name)
    bad = {**events[0], "event_id": "bad-1", "type": "ringing"}
    body = "\n".join(json.dumps(e) for e in [*events, bad])
    answer = httpx.post(
        f"{url}/v1/events",
        content=body,
        headers={"Content-Type": "application/x-ndjson"},
        timeout=30,
        auth=webhook_auth,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["accepted"] == len(events)
    assert "type" in json.dumps(answer.json()["rejected"])

    # Posting the same events again must not double a row: storage deduplicates on event_id.
    again = httpx.post(f"{url}/v1/events", json=events, timeout=30, auth=webhook_auth)
    assert again.status_code == 202, again.text

    deadline = time.monotonic() + 90
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        pipe.check_alive()
        rows = _rows(database, clickhouse_writer)
        if len(rows) >= len(events):
            break
        time.sleep(1)
    assert [r["event_id"] for r in rows] == sorted(e["event_id"] for e in events)

    by_id = {r["event_id"]: r for r in rows}
    offered = by_id[f"{unique_name}-aarhus-e1"]
    assert offered["municipality_code"] == 751
    assert offered["municipality_name"] == "Aarhus"
    assert offered["in_catchment"] == 1
    assert offered["within_hours"] == 1
    assert offered["topic"] == "digital_post"  # from IVR digit 2: no wrap-up code yet
    assert offered["caller_key"] == caller_key(SECRET.encode(), NUMBER)
    ended = by_id[f"{unique_name}-aarhus-e4"]
    assert ended["topic"] == "mitid_login"  # the agent's wrap-up code wins over the IVR choice

    closed = by_id[f"{unique_name}-randers-e1"]
    assert closed["municipality_name"] == "Randers"
    assert closed["in_catchment"] == 0
    assert closed["within_hours"] == 0
    assert closed["topic"] == "unknown"

    # One call record per finished call, built by enrich from the call's events.
    records: list[dict[str, Any]] = []
    while time.monotonic() < deadline + 30:
        records = _rows(database, clickhouse_writer, "call_records")
        if len(records) >= 2:
            break
        time.sleep(1)
    by_call = {r["call_id"]: r for r in records}
    assert set(by_call) == {f"{unique_name}-aarhus", f"{unique_name}-randers"}
    answered = by_call[f"{unique_name}-aarhus"]
    assert answered["outcome"] == "answered"
    assert answered["wait_seconds"] == 40.0  # queued 16:30:20 -> answered 16:31:00
    assert answered["talk_seconds"] == 360.0  # answered 16:31:00 -> ended 16:37:00
    assert answered["topic"] == "mitid_login"
    assert answered["within_hours"] == 1
    assert answered["municipality_code"] == 751
    assert by_call[f"{unique_name}-randers"]["outcome"] == "closed"

    stored = json.dumps([*rows, *records], default=str)
    assert NUMBER not in stored, "raw caller number reached ClickHouse"
    assert NUMBER[3:] not in stored, "raw caller number (national part) reached ClickHouse"
