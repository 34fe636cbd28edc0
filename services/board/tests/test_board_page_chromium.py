"""The board page in headless Chromium against the real pipeline fed by the simulator.

ingest, enrich, sink and the board run as their own processes (as in production) on topics and
a database unique to this test. The page must show what ClickHouse holds (recomputed here from
the raw events with the Python definitions), the agent panel beside the queue, Danish labels by
default and English ones with the switch, follow new calls, and show the backend-down and stale
states. Screenshots are kept under artifacts/board/.

The simulator posts the agents' shifts beside the calls; ingest and the sink carry them to
`agent_events` on this test's own agent topic. Two more agents are added there directly (one on
a break, one logged off) and one simulated agent pauses, so every agent state is on the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline_board.windows import latest_evening
from hotline_schemas import AgentEventType, kpi
from hotline_schemas.agents import AgentStep, CallSpan, State, segments, state_at
from hotline_schemas.hours import OpeningSchedule

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "artifacts" / "board"
AT = datetime(2013, 4, 7, 18, 0, tzinfo=UTC)  # 20:00 in Copenhagen: open, mid-evening
AT_TEXT = "2013-04-07T18:00:00Z"


@pytest.fixture
def stack(
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    clickhouse_env: Callable[..., dict[str, str]],
    clickhouse_database: str,
    unique_name: str,
    tmp_path: Path,
    free_port: Callable[[], int],
    service_processes: Any,
    webhook_secret: str,
) -> dict[str, Any]:
    raw, enriched, raw_dlq, enriched_dlq, agents, agents_dlq = make_topics(
        f"{unique_name}.raw",
        f"{unique_name}.enriched",
        f"{unique_name}.raw.dlq",
        f"{unique_name}.enriched.dlq",
        f"{unique_name}.agents",
        f"{unique_name}.agents.dlq",
    )
    ingest_port, board_port, down_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        **clickhouse_env("writer", clickhouse_database),
        "HOTLINE_PSEUDONYM_SECRET": "board-test-secret-0123456789",
        "HOTLINE_INGEST_PORT": str(ingest_port),
        # ingest verifies it; `hotline simulate` below signs with it.
        "HOTLINE_INGEST_WEBHOOK_SECRET": webhook_secret,
        "HOTLINE_SIMULATOR_WEBHOOK_SECRET": webhook_secret,
        "HOTLINE_INGEST_RAW_TOPIC": raw,
        "HOTLINE_INGEST_DEAD_LETTER_TOPIC": raw_dlq,
        # The simulated shifts too go to topics of this test's own, never `hotline.agent-events`.
        "HOTLINE_INGEST_AGENT_TOPIC": agents,
        "HOTLINE_INGEST_AGENT_DEAD_LETTER_TOPIC": agents_dlq,
        "HOTLINE_ENRICH_APP_ID": f"{unique_name}-enrich",
        "HOTLINE_ENRICH_RAW_TOPIC": raw,
        "HOTLINE_ENRICH_ENRICHED_TOPIC": enriched,
        "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": raw_dlq,
        # Records go to a topic of this test's own, never the shared `hotline.call-records`.
        "HOTLINE_ENRICH_RECORDS_TOPIC": f"{unique_name}.records",
        "HOTLINE_ENRICH_WEB_PORT": str(free_port()),
        "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
        "HOTLINE_ENRICH_STATE_DIR": str(tmp_path / "enrich"),
        "HOTLINE_SINK_TOPICS": json.dumps([enriched, agents]),
        "HOTLINE_SINK_AGENT_TOPICS": json.dumps([agents]),
        "HOTLINE_SINK_DEAD_LETTER_TOPIC": enriched_dlq,
        "HOTLINE_SINK_GROUP_ID": f"{unique_name}-sink",
        "HOTLINE_SINK_METRICS_PORT": str(free_port()),
        "HOTLINE_BOARD_PORT": str(board_port),
        "HOTLINE_BOARD_REFRESH_S": "1",
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "hotline_cli", "migrate"], env=env, capture_output=True, timeout=60
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    procs = service_processes
    for name in ("sink", "enrich", "ingest"):
        procs.start(name, env)
    # The board logs in as the read-only user, as it does in production.
    procs.start("board", {**env, **clickhouse_env("reader", clickhouse_database)})
    # A second board whose ClickHouse is a closed port: its backend is down.
    down_env = {
        **env,
        "HOTLINE_BOARD_PORT": str(down_port),
        "HOTLINE_CLICKHOUSE__PORT": str(free_port()),
    }
    procs.start("board_down", down_env, module="hotline_board")
    return {
        "procs": procs,
        "env": env,
        "ingest": f"http://127.0.0.1:{ingest_port}",
        "board": f"http://127.0.0.1:{board_port}",
        "board_down": f"http://127.0.0.1:{down_port}",
        "database": clickhouse_database,
    }


def _client(clickhouse_writer: Any) -> Any:
    from clickhouse_driver import Client

    conn = clickhouse_writer
    return Client(
        host=conn.host, port=conn.port, user=conn.user, password=conn.password.get_secret_value()
    )


def _agents(client: Any, database: str) -> list[str]:
    return [
        str(a) for (a,) in client.execute(f"SELECT DISTINCT agent_id FROM {database}.agent_events")
    ]


def _event_count(client: Any, database: str) -> int:
    ((n,),) = client.execute(f"SELECT count() FROM {database}.call_events FINAL")
    return int(n)


def _wait_stored(client: Any, database: str, at_least: int, procs: Any) -> int:
    deadline = time.monotonic() + 120
    last = -1
    while time.monotonic() < deadline:
        procs.check_alive()
        n = _event_count(client, database)
        if n >= at_least and n == last:
            return n
        last = n
        time.sleep(2)
    pytest.fail(f"ClickHouse holds {last} events, expected at least {at_least}")


def _answered_agents(client: Any, database: str) -> list[str]:
    """Who answered calls on 7 April."""
    return sorted(
        str(a)
        for (a,) in client.execute(
            f"SELECT DISTINCT agent_id FROM {database}.call_events WHERE type = 'answered' "
            "AND isNotNull(agent_id) AND occurred_at >= toDateTime('2013-04-07 00:00:00')"
        )
    )


def _wait_agents(client: Any, database: str, procs: Any) -> int:
    """The simulated shifts' agent events, once the sink has stored them all (the count stops
    growing)."""
    deadline = time.monotonic() + 120
    last = -1
    while time.monotonic() < deadline:
        procs.check_alive()
        ((n,),) = client.execute(f"SELECT count() FROM {database}.agent_events FINAL")
        if n > 0 and n == last:
            return int(n)
        last = int(n)
        time.sleep(2)
    pytest.fail(f"ClickHouse holds {last} agent events from the simulated shifts")


def _agent_shift(client: Any, database: str) -> None:
    """Beside the simulated shift: one agent who answered calls pauses without a reason from
    19:55 to 19:58; two more agents, who take no calls, log in at 18:15 local (16:15 UTC): one
    is on a break from 19:50, the other logs off at 19:40."""
    agents = _answered_agents(client, database)
    assert len(agents) >= 3
    rows: list[tuple[Any, ...]] = [
        (f"shift-{a}", a, "logged_in", datetime(2013, 4, 7, 16, 15, tzinfo=UTC), None)
        for a in ["agent-on-break", "agent-gone"]
    ]
    rows += [
        ("break", "agent-on-break", "paused", datetime(2013, 4, 7, 17, 50, tzinfo=UTC), "break"),
        ("pause-1", agents[1], "paused", datetime(2013, 4, 7, 17, 55, tzinfo=UTC), None),
        ("back-1", agents[1], "unpaused", datetime(2013, 4, 7, 17, 58, tzinfo=UTC), None),
        ("off", "agent-gone", "logged_out", datetime(2013, 4, 7, 17, 40, tzinfo=UTC), None),
    ]
    client.execute(
        f"INSERT INTO {database}.agent_events (event_id, agent_id, type, occurred_at, "
        "occurred_at_ms, schema_version, reason, origin) VALUES",
        [(e, a, kind, when, 0, 1, why, "live") for e, a, kind, when, why in rows],
    )


def _expected_agents(client: Any, database: str, at: datetime) -> dict[str, Any]:
    """The agent panel recomputed with hotline_schemas.agents from the stored rows."""
    cut = f"toDateTime({int(at.timestamp())})"
    steps = [
        AgentStep(str(a), AgentEventType(str(kind)), datetime.fromtimestamp(ts, UTC), why or None)
        for a, kind, ts, why in client.execute(
            "SELECT agent_id, toString(type), toFloat64(occurred_at), ifNull(reason, '') "
            f"FROM {database}.agent_events FINAL WHERE occurred_at <= {cut}"
        )
    ]
    answered: dict[str, tuple[str, datetime]] = {}
    ended: dict[str, datetime] = {}
    for call_id, kind, agent, ts in client.execute(
        "SELECT call_id, toString(type), ifNull(agent_id, ''), "
        f"toFloat64(occurred_at) + occurred_at_ms / 1000 FROM {database}.call_events FINAL "
        f"WHERE type IN ('answered', 'ended') AND occurred_at <= {cut}"
    ):
        when = datetime.fromtimestamp(ts, UTC)
        if kind == "answered" and agent:
            answered[call_id] = (agent, min(when, answered.get(call_id, ("", when))[1]))
        elif kind == "ended":
            ended[call_id] = min(when, ended.get(call_id, when))
    spans = [CallSpan(a, t, ended.get(c)) for c, (a, t) in answered.items()]
    states = [s for s, _ in state_at(segments(steps, spans, at), at).values()]
    return {
        "agents_logged_in": sum(s is not State.OFF for s in states),
        "agents_available": states.count(State.AVAILABLE),
        "agents_on_call": states.count(State.ON_CALL),
        "agents_wrap_up": states.count(State.WRAP_UP),
        "agents_paused": states.count(State.PAUSED),
    }


def _expected(client: Any, database: str, at: datetime) -> dict[str, Any]:
    """The board's numbers recomputed from the stored events with the Python definitions."""
    rows = client.execute(
        "SELECT call_id, type, toFloat64(occurred_at) + occurred_at_ms / 1000, within_hours, "
        f"agent_id, municipality_name FROM {database}.call_events FINAL "
        f"WHERE occurred_at <= toDateTime({int(at.timestamp())})"
    )
    calls: dict[str, dict[str, Any]] = {}
    for call_id, type_, ts, within, agent, name in rows:
        c = calls.setdefault(call_id, {"within_hours": True})
        c[type_] = datetime.fromtimestamp(ts, UTC)
        if type_ == "offered":
            c["within_hours"] = bool(within)
            c["name"] = name
        if type_ == "answered":
            c["agent_id"] = agent
    lookback = at - timedelta(seconds=kpi.LIVE_LOOKBACK_S)
    times = {
        cid: kpi.CallTimes(
            offered=c.get("offered"),
            queued=c.get("queued"),
            answered=c.get("answered"),
            abandoned=c.get("abandoned"),
            ended=c.get("ended"),
            within_hours=c["within_hours"],
            agent_id=c.get("agent_id"),
        )
        for cid, c in calls.items()
    }
    live = [c for c in times.values() if (c.queued or c.offered or at) >= lookback]
    evening = latest_evening(OpeningSchedule(), at)
    assert evening is not None
    last15 = kpi.count_window(times.values(), at - timedelta(minutes=15), at)
    whole = kpi.count_window(times.values(), evening.opens, at)
    aarhus = sum(
        1
        for cid, c in calls.items()
        if c.get("name") == "Aarhus"
        and times[cid].within_hours
        and times[cid].offered is not None
        and evening.opens < times[cid].offered <= at
    )
    return {
        "waiting": sum(kpi.is_waiting(c, at) for c in live),
        "in_menu": sum(kpi.is_in_menu(c, at) for c in live),
        "last_15m_answered": last15.answered,
        "last_15m_abandoned": last15.abandoned,
        "last_15m_service_level": _pct(kpi.service_level(last15)),
        "evening_answered": whole.answered,
        "evening_abandoned": whole.abandoned,
        "evening_service_level": _pct(kpi.service_level(whole)),
        "aarhus": aarhus,
        **_expected_agents(client, database, at),
    }


def _pct(ratio: float | None) -> str:
    # JavaScript's Math.round: halves round up.
    return "–" if ratio is None else f"{int(ratio * 100 + 0.5)}%"


def _chromium(*args: str, height: int = 900) -> str:
    exe = shutil.which("chromium")
    assert exe, "Debian's chromium is missing: apt-get install -y chromium (make install)"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=4000",
                f"--window-size=1600,{height}",
                *args,
            ],
            capture_output=True,
            timeout=90,
        )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode()


def _labels(dom: str) -> dict[str, str]:
    """The translated labels on the page (data-i18n key -> text) and the page's language."""
    found = dict(re.findall(r'data-i18n="(\w+)"[^>]*>([^<]*)<', dom))
    lang = re.search(r'<html [^>]*lang="(\w+)"', dom)
    return {**found, "html_lang": lang.group(1) if lang else ""}


def _shown(dom: str) -> dict[str, str]:
    fields = re.findall(r'<(?:div|span) [^>]*id="([a-z0-9_]+)"[^>]*>([^<]*)<', dom)
    state = re.search(r'<body [^>]*data-state="(\w+)"', dom)
    banner = re.search(r'id="banner"[^>]*>([^<]*)<', dom)
    aarhus = re.search(r"<td>Aarhus</td><td class=\"n\">(\d+)</td>", dom)
    return {
        **dict(fields),
        "state": state.group(1) if state else "",
        "banner": banner.group(1) if banner else "",
        "aarhus": aarhus.group(1) if aarhus else "",
    }


def _screenshot(url: str, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    _chromium(f"--screenshot={path}", url, height=1700)
    assert path.stat().st_size > 10_000
    sys.stdout.write(f"\nboard screenshot: {path}\n")
    return path


def _assert_page_matches(page: dict[str, str], expected: dict[str, Any]) -> None:
    shown = {key: page.get(key) for key in expected}
    assert shown == {key: str(value) for key, value in expected.items()}


def _waiting_calls(prefix: str, n: int, at: datetime) -> list[dict[str, Any]]:
    events = []
    for i in range(n):
        offered = at - timedelta(seconds=50 + 10 * i)
        for step, (type_, when) in enumerate(
            (("offered", offered), ("queued", offered + timedelta(seconds=8)))
        ):
            events.append(
                {
                    "schema_version": 1,
                    "event_id": f"{prefix}-{i}-{step}",
                    "call_id": f"{prefix}-{i}",
                    "type": type_,
                    "occurred_at": when.isoformat().replace("+00:00", "Z"),
                    "line": "+4570200000",
                    "caller_number": None,
                    "caller_postcode": "8000",
                    "ivr_choice": "2",
                }
            )
    return events


def test_board_page_shows_clickhouse_follows_new_calls_and_shows_down_and_stale(
    stack: dict[str, Any],
    clickhouse_writer: Any,
    unique_name: str,
    webhook_auth: Any,
) -> None:
    procs, database = stack["procs"], stack["database"]
    for url in (f"{stack['ingest']}/readyz", f"{stack['board']}/healthz"):
        procs.wait_http(url)
    # Two Sundays: 24 March gives tonight (7 April; Easter Sunday between was closed) its
    # forecast.
    for day in ("2013-03-24", "2013-04-07"):
        simulate = subprocess.run(
            [sys.executable, "-m", "hotline_cli", "simulate", "--url", stack["ingest"],
             "--date", day, "--seed", "2013"],
            env=stack["env"], capture_output=True, timeout=180,
        )  # fmt: skip
        assert simulate.returncode == 0, simulate.stderr.decode()[-2000:]
    client = _client(clickhouse_writer)
    try:
        stored = _wait_stored(client, database, 100, procs)
        _wait_agents(client, database, procs)
        _agent_shift(client, database)
        expected = _expected(client, database, AT)
        assert expected["evening_answered"] > 10  # the simulated evening really is there
        # The shift as built: someone logged off, someone on a break, others busy or free.
        assert expected["agents_paused"] >= 1
        assert expected["agents_logged_in"] < len(_agents(client, database))
        # The simulated shift came through ingest and the sink: the five agents on it logged in,
        # and they are the ones who answered tonight's calls.
        shift = {
            str(a)
            for (a,) in client.execute(
                f"SELECT DISTINCT agent_id FROM {database}.agent_events "
                "WHERE type = 'logged_in' AND event_id NOT LIKE 'shift-%' "
                "AND occurred_at >= toDateTime('2013-04-07 00:00:00')"
            )
        }
        assert len(shift) == 5
        assert set(_answered_agents(client, database)) <= shift
        assert expected["agents_logged_in"] == 6  # the shift and the agent on a break
        page_url = f"{stack['board']}/?at={AT_TEXT}"
        dom = _chromium("--dump-dom", page_url)
        page = _shown(dom)
        assert page["state"] == "ok", page
        _assert_page_matches(page, expected)
        labels = _labels(dom)
        assert labels["html_lang"] == "da"
        assert (labels["waiting"], labels["agents"], labels["paused"]) == (
            "I kø",
            "Medarbejdere",
            "På pause",
        )
        assert page["open"] == "ÅBEN"
        # Tonight's seven half hours, each against the forecast from 24 March.
        assert dom.count('class="forecast"') == 7
        assert "pause" in page["agents_pause_reasons"]  # the break, in Danish
        _screenshot(page_url, "board-evening.png")
        # English with the switch (?lang=en): the same numbers, English labels.
        dom = _chromium("--dump-dom", page_url + "&lang=en")
        _assert_page_matches(_shown(dom), expected)
        labels = _labels(dom)
        assert (labels["html_lang"], labels["waiting"], labels["agents"]) == (
            "en",
            "In the queue",
            "Agents",
        )
        _screenshot(page_url + "&lang=en", "board-evening-en.png")

        # New callers join the queue: the page follows.
        extra = _waiting_calls(unique_name, 3, AT)
        answer = httpx.post(
            f"{stack['ingest']}/v1/events", json=extra, timeout=30, auth=webhook_auth
        )
        assert answer.status_code == 202, answer.text
        _wait_stored(client, database, stored + len(extra), procs)
        after = _expected(client, database, AT)
        assert after["waiting"] == expected["waiting"] + 3
        assert after["aarhus"] == expected["aarhus"] + 3
        page = _shown(_chromium("--dump-dom", page_url))
        _assert_page_matches(page, after)
        _screenshot(page_url, "board-after-new-calls.png")
    finally:
        client.disconnect()

    # Open (a Monday evening) but no event for hours: stale.
    stale_url = f"{stack['board']}/?at=2013-04-08T18:00:00Z"
    page = _shown(_chromium("--dump-dom", stale_url))
    assert page["state"] == "stale", page
    assert "FORÆLDEDE TAL" in page["banner"]
    _screenshot(stale_url, "board-stale.png")

    # The board whose ClickHouse is unreachable: backend down, numbers greyed.
    procs.wait_http(f"{stack['board_down']}/healthz")
    assert httpx.get(f"{stack['board_down']}/api/board", timeout=30).status_code == 503
    page = _shown(_chromium("--dump-dom", f"{stack['board_down']}/?lang=en"))
    assert page["state"] == "down", page
    assert "BACKEND DOWN" in page["banner"]
    _screenshot(f"{stack['board_down']}/", "board-backend-down.png")
