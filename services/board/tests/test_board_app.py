"""The HTTP app on chdb (current ClickHouse in-process): API, metrics, errors, windows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hotline_board.app import create_app
from hotline_board.settings import Settings
from hotline_board.snapshot import parse_at
from hotline_board.windows import latest_evening
from hotline_schemas import kpi
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.hours import OpeningSchedule, load_schedule

DB = "board_test"
PILOT = load_schedule(None)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, in-process (Starlette's TestClient warns about httpx)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://board") as client:
            yield client


class Broken:
    def execute(self, query: str) -> list[tuple[Any, ...]]:
        raise ConnectionRefusedError("ClickHouse is down")


def _settings(**kw: Any) -> Settings:
    return Settings(clickhouse=ClickHouseConnection(database=DB), **kw)


@pytest.mark.anyio
async def test_board_json_from_clickhouse(
    chdb: Any, example_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    insert_calls(chdb, DB, example_calls)
    registry = CollectorRegistry()
    async with serving(create_app(_settings(), executor=chdb, registry=registry)) as client:
        board = (await client.get("/api/board", params={"at": "2013-04-07T18:15:00Z"})).json()
        assert board["pinned"]
        assert board["open_now"]  # 20:15 on a Sunday in Copenhagen
        assert (board["waiting"], board["longest_wait_seconds"], board["agents_busy"]) == (1, 60, 1)
        assert board["last_15m"]["answered"] == 3
        assert board["last_15m"]["service_level"] == pytest.approx(0.5)
        assert board["evening"]["abandoned"] == 1
        assert board["data_age_seconds"] == 60.0
        assert not board["stale"]
        aarhus = board["by_municipality"][0]
        assert (aarhus["name"], aarhus["calls"]) == ("Aarhus", 4)
        assert aarhus["per_1000"] == pytest.approx(4 * 1000 / 319094)
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/")).text.count("board.js") == 1
        assert (await client.get("/static/board.js")).status_code == 200
        schema = (await client.get("/openapi.json")).json()
        assert "Board" in schema["components"]["schemas"]
        assert (
            await client.get("/api/board", params={"at": "2013-04-07T18:15:00"})
        ).status_code == 422


@pytest.mark.anyio
async def test_prometheus_names_for_the_alert_rules(chdb: Any) -> None:
    at = datetime(2013, 4, 7, 18, 15, tzinfo=UTC)
    async with serving(create_app(_settings(at=at), executor=chdb)) as client:
        # The gauges are set by the background refresh, which starts with the app.
        for _ in range(100):
            text = (await client.get("/metrics")).text
            if "hotline_open 1.0" in text:
                break
            await anyio.sleep(0.05)
    for name in (
        "hotline_callers_waiting",
        "hotline_longest_wait_seconds",
        "hotline_agents_busy",
        "hotline_open 1.0",
        'hotline_service_level_ratio{window="15m"}',
        'hotline_service_level_ratio{window="evening"}',
        "hotline_board_query_failures_total 0.0",
        "hotline_board_data_age_seconds +Inf",
    ):
        assert name in text


@pytest.mark.anyio
async def test_backend_down_is_503_and_counted() -> None:
    async with serving(create_app(_settings(), executor=Broken())) as client:
        answer = await client.get("/api/board")
        assert answer.status_code == 503
        assert "ClickHouse is down" in answer.json()["detail"]
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200
        assert "hotline_board_query_failures_total" in (await client.get("/metrics")).text


def test_evening_is_the_latest_opening() -> None:
    schedule = OpeningSchedule()
    sunday_late = latest_evening(schedule, parse_at("2013-04-07T21:30:00Z"))  # 23:30 CEST
    assert sunday_late is not None
    assert sunday_late.opens == parse_at("2013-04-07T16:30:00Z")  # 18:30 CEST
    # Saturday noon: the last opening was Thursday 18:30 CEST.
    saturday = latest_evening(schedule, parse_at("2013-04-06T11:00:00Z"))
    assert saturday is not None
    assert saturday.opens == parse_at("2013-04-04T16:30:00Z")
    # Across the DST switch: Saturday 30 March noon (CET) -> Wednesday 27 March 18:30 CET,
    # because the pilot's schedule is closed on Skærtorsdag (28 March).
    easter = latest_evening(PILOT, parse_at("2013-03-30T11:00:00Z"))
    assert easter is not None
    assert easter.opens == parse_at("2013-03-27T17:30:00Z")
    # Before opening on Monday: Sunday's evening.
    monday = latest_evening(schedule, parse_at("2013-04-08T10:00:00+02:00"))
    assert monday is not None
    assert monday.opens == parse_at("2013-04-07T16:30:00Z")
    assert latest_evening(OpeningSchedule(weekly={}), parse_at("2013-04-08T10:00:00Z")) is None


AGENT_COLUMNS = (
    "event_id, agent_id, type, occurred_at, occurred_at_ms, schema_version, reason, origin"
)


@pytest.mark.anyio
async def test_agent_panel_beside_the_queue(
    chdb: Any, example_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    # The excerpt's calls (a1, a2, a3 answer calls) and their agents' shifts on 7 April 2013.
    insert_calls(chdb, DB, example_calls)
    shift = [
        ("a1", "logged_in", "17:50:00", None),
        ("a2", "logged_in", "17:55:00", None),
        ("a2", "wrap_up_started", "18:03:35", None),
        ("a2", "wrap_up_ended", "18:04:20", None),
        ("a2", "paused", "18:12:00", "break"),
        ("a3", "logged_in", "17:58:00", None),
        ("a4", "logged_in", "17:40:00", None),
        ("a4", "logged_out", "18:05:00", None),
        ("a5", "logged_in", "17:59:00", None),
        ("a5", "paused", "18:09:00", None),
    ]
    rows = [
        (
            f"ag{n}",
            agent,
            kind,
            datetime.fromisoformat(f"2013-04-07T{hms}+00:00"),
            0,
            1,
            why,
            "live",
        )
        for n, (agent, kind, hms, why) in enumerate(shift)
    ]
    chdb.execute(f"INSERT INTO {DB}.agent_events ({AGENT_COLUMNS}) VALUES", rows)
    async with serving(
        create_app(_settings(), executor=chdb, registry=CollectorRegistry())
    ) as client:
        board = (await client.get("/api/board", params={"at": "2013-04-07T18:15:00Z"})).json()
        later = (await client.get("/api/board", params={"at": "2013-04-07T18:04:00Z"})).json()
        metrics = (await client.get("/metrics")).text
    agents = board["agents"]
    assert agents["reported"] is True
    # 18:15: a1 available (its 18:01:10 call ended 18:05:10), a3 on its 18:10:20 call, a2 and
    # a5 paused (break, and no reason), a4 logged out.
    assert (agents["logged_in"], agents["available"], agents["on_call"]) == (4, 1, 1)
    assert (agents["wrap_up"], agents["paused"]) == (0, 2)
    assert {p["reason"]: p["agents"] for p in agents["paused_by_reason"]} == {
        "break": 1,
        "unspecified": 1,
    }
    assert board["agents_busy"] == agents["on_call"]
    # 18:04: a1 on a call, a2 in wrap-up after its call, a3, a4 and a5 available.
    now = later["agents"]
    assert (now["on_call"], now["wrap_up"], now["available"], now["logged_in"]) == (1, 1, 3, 5)
    # The last 15 minutes to 18:15: a4 was logged in until 18:05 (5 min), the others all along.
    assert agents["last_15m"]["agents_logged_in"] == 5
    assert agents["last_15m"]["agents_logged_in_mean"] == pytest.approx(4 + 5 / 15)
    assert 'hotline_agents{state="paused"}' in metrics


@pytest.mark.anyio
async def test_queues_topics_in_two_languages_and_tonight_against_the_forecast(
    chdb: Any, example_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    insert_calls(chdb, DB, example_calls)
    # Earlier Sundays (Easter Sunday 31 March was closed): the same half hour, 19:00-19:30 UTC
    # in winter time, had 4 calls on 24 March and 2 on 17 March.
    history = [
        kpi.CallTimes(offered=datetime(2013, 3, day, 19, 5 + n, tzinfo=UTC))
        for day, calls in ((24, 4), (17, 2))
        for n in range(calls)
    ]
    insert_calls(chdb, DB, history, prefix="h")
    async with serving(
        create_app(_settings(), executor=chdb, registry=CollectorRegistry())
    ) as client:
        board = (await client.get("/api/board", params={"at": "2013-04-07T18:15:00Z"})).json()
    queues = {q["queue"]: q for q in board["by_queue"]}
    assert set(queues) == {"hotline", "hotline-en"}
    assert sum(q["evening"]["offered"] for q in queues.values()) == board["evening"]["offered"]
    assert sum(q["waiting"] for q in queues.values()) == board["waiting"] == 1
    labels = {t["topic"]: (t["label_da"], t["label_en"]) for t in board["topics"]}
    assert labels["nemid_login"] == ("Log-in med NemID", "NemID log-in")
    trend = board["trend"]
    assert len(trend) == 7  # 18:30 to 22:00 local
    by_start = {p["start"]: p for p in trend}
    now = by_start["2013-04-07T18:00:00Z"]  # 20:00-20:30 local
    assert now["offered"] == 6
    assert now["forecast"] == pytest.approx(3.0)
    assert by_start["2013-04-07T16:30:00Z"] == {
        "start": "2013-04-07T16:30:00Z",
        "offered": 0,
        "forecast": 0.0,
    }
    assert by_start["2013-04-07T18:30:00Z"]["offered"] is None  # not begun at 18:15
