"""A simulated pilot year (3 December 2012 - 1 December 2013) in the real ClickHouse 18.16,
through the pilot views and `hotline pilot-report`, against a plain-Python count of the same
records; then the document in headless Chromium.

The year is the simulator's, at a reduced volume so the test takes a minute or two (peak 12
calls an hour, two agents: about 10,000 calls and 16,000 agent events), every day of it,
closed days and holidays included. The calls' records are built by enrich's own pure
functions and stored with the sink's own row code; the first three months are marked as
history imported later (v2 events with origin `import`), the rest as live. Nothing below the
views is recomputed from the views: the expected figures come from the CallRecord objects and
the AgentEvents themselves, with scipy for the exact intervals and the chi-square test.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from clickhouse_driver import Client
from scipy import stats as sps

from hotline_capacity.staffing import required_agents
from hotline_enrich.call_records import RecordConfig, observe
from hotline_enrich.call_state import CallState
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_report.pilot.analysis import PilotOptions, PilotResult, analyse
from hotline_report.pilot.data import load
from hotline_report.pilot.export import to_json
from hotline_report.pilot.i18n import Words
from hotline_report.pilot.quality import DeadLetters
from hotline_schemas import AgentEvent, AgentEventType, CallRecord, Origin, as_v2
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.hours import load_schedule
from hotline_schemas.privacy import make_dead_letter
from hotline_schemas.records import Outcome
from hotline_schemas.reference_data import PostcodeTable, members
from hotline_schemas.rules import Rules
from hotline_schemas.taxonomy import load_taxonomy
from hotline_simulator.model import SimulationConfig, evening_rng, simulate
from hotline_sink import agent_rows, record_rows
from hotline_sink.clickhouse import connect, server_version
from hotline_sink.dialect import Dialect
from hotline_sink.schema import prepare

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TZ = ZoneInfo("Europe/Copenhagen")
FIRST, LAST = date(2012, 12, 3), date(2013, 12, 1)
IMPORTED_UNTIL = date(2013, 2, 28)  # Dec-Feb arrive as history imported later
CONFIG = SimulationConfig(peak_per_hour=12.0, agents=2)
SEED = 13
NOW = datetime(2013, 12, 5, tzinfo=UTC)
SCHEDULE = load_schedule(None)
REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "artifacts" / "pilot-report"
SECTIONS = ("summary", "service", "options", "forecast", "quality", "method")


@dataclass(frozen=True)
class Year:
    records: list[CallRecord]
    agents: list[AgentEvent]


def _simulate() -> Year:
    ctx = EnrichmentContext(
        postcodes=PostcodeTable.load(),
        schedule=SCHEDULE,
        taxonomy=load_taxonomy(None),
        secret=b"pilot-year-secret",
    )
    config = RecordConfig()
    states: dict[str, CallState] = {}
    latest: dict[str, CallRecord] = {}
    agents: list[AgentEvent] = []
    day = FIRST - timedelta(days=1)
    while day <= LAST:
        evening = simulate(day, CONFIG, evening_rng(SEED, day))
        imported = day <= IMPORTED_UNTIL
        for agent_event in evening.agents:
            agents.append(
                agent_event.model_copy(update={"origin": Origin.IMPORT})
                if imported
                else agent_event
            )
        for event in evening.calls:
            raw = (
                as_v2(event).model_copy(update={"origin": Origin.IMPORT, "source": "simulated"})
                if imported
                else event
            )
            state = states.get(event.call_id, CallState(call_id=event.call_id))
            step = observe(state, enrich(raw, ctx, NOW), config, NOW)
            assert step.state is not None
            states[event.call_id] = step.state
            if step.record is not None:
                latest[event.call_id] = step.record
        day += timedelta(days=1)
    return Year(list(latest.values()), agents)


@pytest.fixture(scope="module")
def year() -> Year:
    return _simulate()


@pytest.fixture(scope="module")
def year_db(year: Year, clickhouse_writer: ClickHouseConnection) -> Iterator[str]:
    """The year in a database of its own (module-wide: loaded once for every test here)."""
    name = f"t_pilot_year_{uuid.uuid4().hex[:8]}"
    client = connect(clickhouse_writer.model_copy(update={"database": name}))
    try:
        dialect = Dialect.for_version(server_version(client))
        client.execute(f"CREATE DATABASE {name}")
        prepare(client, dialect, name, Rules())
        settings = dialect.session_settings()
        rows = [record_rows.to_row(r) for r in year.records]
        agent = [agent_rows.to_row(a) for a in year.agents]
        for table, columns, batch in (
            ("call_records", record_rows.COLUMNS, rows),
            ("agent_events", agent_rows.COLUMNS, agent),
        ):
            for i in range(0, len(batch), 5000):
                client.execute(
                    f"INSERT INTO {name}.{table} ({', '.join(columns)}) VALUES",
                    batch[i : i + 5000],
                    settings=settings,
                )
        yield name
    finally:
        client.execute(f"DROP DATABASE IF EXISTS {name}")
        client.disconnect()


def _local(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def _slot(moment: datetime) -> int:
    local = moment.astimezone(TZ)
    return local.hour * 60 + local.minute // 30 * 30


@pytest.fixture(scope="module")
def result(year_db: str, clickhouse_reader: ClickHouseConnection) -> PilotResult:
    """The report's figures, read as the read-only user."""
    client = Client(
        host=clickhouse_reader.host,
        port=clickhouse_reader.port,
        user=clickhouse_reader.user,
        password=clickhouse_reader.password.get_secret_value(),
        settings={"readonly": 1},
    )
    try:
        data = load(lambda _name, sql: client.execute(sql), year_db, FIRST, LAST)
    finally:
        client.disconnect()
    return analyse(data, PilotOptions(), SCHEDULE, DeadLetters(False, "not read here", []))


def _in_range(records: list[CallRecord]) -> list[CallRecord]:
    return [r for r in records if FIRST <= _local(r.started_at) <= LAST]


def _headline(records: list[CallRecord]) -> dict[str, Any]:
    within = [r for r in records if r.within_hours]
    answered = [r for r in within if r.outcome is Outcome.ANSWERED]
    abandoned = sum(r.outcome is Outcome.ABANDONED for r in within)
    left = sum(r.outcome is Outcome.LEFT_QUEUE for r in within)
    in_time = sum((r.wait_seconds or 0) <= 20 for r in answered)
    return {
        "calls": len(within),
        "open_evenings": len({_local(r.started_at) for r in within}),
        "closed_calls": sum(not r.within_hours for r in records),
        "callers": len({r.caller_key for r in within if r.caller_key}),
        "service_level": in_time / (len(answered) + abandoned + left),
        "average_wait": statistics.fmean(r.wait_seconds or 0 for r in answered),
        "abandonment_rate": abandoned / (len(answered) + abandoned + left),
    }


def test_the_summary_and_the_months_match_a_plain_count(year: Year, result: PilotResult) -> None:
    records = _in_range(year.records)
    expected = _headline(records)
    h = result.summary.headline
    got = {
        "calls": h.calls, "open_evenings": h.open_evenings, "closed_calls": h.closed_calls,
        "callers": h.callers, "service_level": h.service_level, "average_wait": h.average_wait,
        "abandonment_rate": h.abandonment_rate,
    }  # fmt: skip
    assert got == pytest.approx(expected)
    assert 8000 < h.calls < 14000  # the reduced year really is a year of calls
    assert expected["open_evenings"] == len(list(SCHEDULE.opening_days(FIRST, LAST))) == 251
    by_month: dict[date, list[CallRecord]] = defaultdict(list)
    for r in records:
        by_month[_local(r.started_at).replace(day=1)].append(r)
    assert [m.month for m in result.summary.months] == sorted(by_month)
    assert len(result.summary.months) == 13  # December 2012 ... December 2013 (one evening)
    for month in result.summary.months:
        want = _headline(by_month[month.month])
        f = month.figures
        assert {
            "calls": f.calls, "open_evenings": f.open_evenings, "closed_calls": f.closed_calls,
            "callers": f.callers, "service_level": f.service_level,
            "average_wait": f.average_wait, "abandonment_rate": f.abandonment_rate,
        } == pytest.approx(want), month.month  # fmt: skip
    # Imported and live, as stored.
    assert result.quality.imported == sum(r.origin is Origin.IMPORT for r in records)
    assert result.quality.imported > 1000
    assert result.quality.live == sum(r.origin is Origin.LIVE for r in records)
    assert result.quality.missing_evenings == []


def test_calls_per_1000_citizens_have_the_exact_intervals_and_the_test(
    year: Year, result: PilotResult
) -> None:
    within = [r for r in _in_range(year.records) if r.within_hours and r.in_catchment]
    counts = Counter(r.municipality_code for r in within)
    population = {m.code: m.population for m in members()}
    got = {m.code: m for m in result.summary.municipalities}
    assert set(got) == set(population)
    for code, people in population.items():
        k = counts[code]
        low = sps.chi2.ppf(0.025, 2 * k) / 2 if k else 0.0
        high = sps.chi2.ppf(0.975, 2 * k + 2) / 2
        estimate = got[code].calls
        assert estimate.count == k
        assert estimate.rate == pytest.approx(k * 1000 / people)
        assert (estimate.low, estimate.high) == pytest.approx(
            (low * 1000 / people, high * 1000 / people)
        )
        assert estimate.low < estimate.rate < estimate.high
    # Odder has the fewest calls and so the widest interval for its size.
    odder = got[727].calls
    assert odder.count == min(counts.values())
    assert (odder.high - odder.low) > (got[751].calls.high - got[751].calls.low)
    # The simulator draws the caller's municipality in proportion to its population: the
    # test must see no real difference, with scipy's chi-square of the same counts.
    codes = sorted(population)
    observed = [counts[c] for c in codes]
    total, people = sum(observed), sum(population[c] for c in codes)
    expected = [total * population[c] / people for c in codes]
    chi = sps.chisquare(observed, expected)
    comparison = result.summary.comparison
    assert comparison is not None
    assert comparison.overall.p_value == pytest.approx(chi.pvalue)
    assert comparison.overall.p_value > 0.05
    assert not comparison.differ
    assert {c.direction for c in comparison.versus_rest} == {"same"}


def _open_window(day: date) -> tuple[datetime, datetime]:
    (evening,) = SCHEDULE.evenings(day)
    return evening.opens, evening.closes


def _overlap(a: datetime, b: datetime, c: datetime, d: datetime) -> float:
    return max(0.0, (min(b, d) - max(a, c)).total_seconds())


# What ends each kind of segment (the one definition: hotline_schemas.agents, docs/metrics.md).
_ENDS = {
    AgentEventType.LOGGED_IN: {AgentEventType.LOGGED_IN, AgentEventType.LOGGED_OUT},
    AgentEventType.PAUSED: {AgentEventType.PAUSED, AgentEventType.UNPAUSED,
                            AgentEventType.LOGGED_IN, AgentEventType.LOGGED_OUT},
    AgentEventType.WRAP_UP_STARTED: {AgentEventType.WRAP_UP_STARTED, AgentEventType.WRAP_UP_ENDED,
                                     AgentEventType.LOGGED_IN, AgentEventType.LOGGED_OUT},
}  # fmt: skip


def _agent_estimates(agents: list[AgentEvent], records: list[CallRecord]) -> tuple[float, float]:
    """Wrap-up seconds per answered call, and the paused share of logged-in time in the opening
    hours, straight from the events: each segment runs from its event to the agent's next event
    that ends it, same-instant events in type-name order as the definition has it (so a pause
    that starts the instant another ends lasts no time: see the report's limits)."""
    by_agent: dict[tuple[str, date], list[AgentEvent]] = defaultdict(list)
    for event in agents:
        day = _local(event.occurred_at)
        if FIRST <= day <= LAST:
            by_agent[(event.agent_id, day)].append(event)
    seconds: Counter[AgentEventType] = Counter()
    staffed_days: set[date] = set()
    for (_agent, day), events in by_agent.items():
        events.sort(key=lambda e: (e.occurred_at, e.type.value))
        opens, closes = _open_window(day)
        for i, event in enumerate(events):
            if event.type not in _ENDS:
                continue
            end = next(e.occurred_at for e in events[i + 1 :] if e.type in _ENDS[event.type])
            if event.type is AgentEventType.WRAP_UP_STARTED:
                seconds[event.type] += (end - event.occurred_at).total_seconds()
            else:
                seconds[event.type] += _overlap(event.occurred_at, end, opens, closes)
            staffed_days.add(day)
    answered = sum(
        r.outcome is Outcome.ANSWERED and r.within_hours and _local(r.started_at) in staffed_days
        for r in records
    )
    wrap = seconds[AgentEventType.WRAP_UP_STARTED] / answered
    return wrap, seconds[AgentEventType.PAUSED] / seconds[AgentEventType.LOGGED_IN]


def _option_hours(year: Year, growth: float = 1.0) -> tuple[float, float, dict[str, float]]:
    """Today's hours costed from the records: the Erlang staffing of every half hour of the
    week for its mean (and 90th-percentile) calls, summed; and the inputs used."""
    records = _in_range(year.records)
    within = [r for r in records if r.within_hours]
    evenings = sorted({_local(r.started_at) for r in within})
    counted = (Outcome.ANSWERED, Outcome.ABANDONED, Outcome.LEFT_QUEUE)
    cells: Counter[tuple[date, int]] = Counter(
        (_local(r.started_at), _slot(r.started_at)) for r in within if r.outcome in counted
    )
    talk: dict[tuple[int, int], list[float]] = defaultdict(list)
    for r in within:
        if r.talk_seconds is not None:
            talk[(_local(r.started_at).weekday(), _slot(r.started_at))].append(r.talk_seconds)
    pooled = statistics.fmean(t for v in talk.values() for t in v)
    wrap, shrinkage = _agent_estimates(year.agents, records)
    waited = [r.wait_seconds or 0 for r in within if r.outcome in counted]
    patience = math.fsum(waited) / sum(r.outcome is Outcome.ABANDONED for r in within)
    slots = [18 * 60 + 30 + 30 * k for k in range(7)]
    mean_hours = busy_hours = 0.0
    for weekday in sorted({d.weekday() for d in evenings}):
        days = [d for d in evenings if d.weekday() == weekday]
        for slot in slots:
            values = [cells[(d, slot)] for d in days]
            spoken = talk.get((weekday, slot), [])
            handle = (statistics.fmean(spoken) if len(spoken) >= 10 else pooled) + wrap
            for calls, into in (
                (statistics.fmean(values), "mean"),
                (float(np.percentile(values, 90)), "busy"),
            ):
                need = required_agents(
                    calls=calls * growth, interval_minutes=30, aht_seconds=handle,
                    answer_within_seconds=20, target_service_level=0.8, max_occupancy=0.85,
                    shrinkage=shrinkage, patience_seconds=patience,
                )  # fmt: skip
                if into == "mean":
                    mean_hours += need.rostered_agents * 0.5
                else:
                    busy_hours += need.rostered_agents * 0.5
    return mean_hours, busy_hours, {"wrap": wrap, "shrinkage": shrinkage, "patience": patience}


def test_option_costs_match_the_staffing_of_a_plain_count(year: Year, result: PilotResult) -> None:
    mean_hours, busy_hours, inputs = _option_hours(year)
    a = result.service.assumptions
    assert (a.wrap_up_source, a.shrinkage_source, a.patience_source) == (
        "agent_events", "agent_events", "estimated",
    )  # fmt: skip
    assert a.wrap_up_seconds == pytest.approx(inputs["wrap"])
    assert a.shrinkage == pytest.approx(inputs["shrinkage"])
    assert a.patience_seconds == pytest.approx(inputs["patience"])
    options = {r.key: r.cost for r in result.permanent.options}
    today = options["today"]
    assert today is not None
    assert today.agent_hours_per_week == mean_hours
    assert today.agent_hours_per_person == pytest.approx(mean_hours / 19)
    assert today.agent_hours_per_week_busy == busy_hours
    assert today.open_hours_per_week == 5 * 3.5
    assert today.service_level is not None
    assert today.service_level >= 0.8
    grown = options["growth_25"]
    assert grown is not None
    assert grown.agent_hours_per_week == _option_hours(year, 1.25)[0]
    assert grown.agent_hours_per_week > today.agent_hours_per_week
    # Two agents were on shift every evening: the pilot's logged-in hours in opening hours.
    assert result.permanent.pilot_hours_per_week == pytest.approx(2 * 5 * 3.5)


def test_the_forecast_beats_last_weeks_figure_on_held_back_weeks(result: PilotResult) -> None:
    backtest = result.outlook.backtest
    assert backtest is not None
    assert len(backtest.weeks) == 8
    assert backtest.weeks[-1] == date(2013, 11, 25)
    sys.stdout.write(
        f"\nheld-back weeks: model MAE {backtest.model.mae:.3f}, seasonal naive "
        f"{backtest.naive.mae:.3f} calls per half hour ({backtest.mae_change:+.1%})\n"
    )
    assert backtest.model_better
    # The first weeks after the pilot: Christmas closes 25 and 26 December 2013.
    christmas = result.outlook.weeks[3]
    assert christmas.monday == date(2013, 12, 23)
    assert [d for d, _ in christmas.closed] == [date(2013, 12, 25), date(2013, 12, 26)]
    assert christmas.evenings == 3


def _same(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two JSON bodies differ: numbers to nine significant digits, all else exactly."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in _same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items against {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _same(x, y, f"{where}[{i}]")
        ]
    if isinstance(a, float) or isinstance(b, float):
        ok = (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        )
        return [] if ok else [f"{where}: {a!r} against {b!r}"]
    return [] if a == b else [f"{where}: {a!r} against {b!r}"]


def test_current_clickhouse_gives_the_same_document(
    year: Year, result: PilotResult, chdb_executor: Any
) -> None:
    """The same year in chdb (current ClickHouse): every figure of the JSON body agrees."""
    database = "pilot_year"
    prepare(chdb_executor, Dialect.for_version(chdb_executor.version()), database, Rules())
    for table, columns, rows in (
        ("call_records", record_rows.COLUMNS, [record_rows.to_row(r) for r in year.records]),
        ("agent_events", agent_rows.COLUMNS, [agent_rows.to_row(a) for a in year.agents]),
    ):
        for i in range(0, len(rows), 5000):
            chdb_executor.execute(
                f"INSERT INTO {database}.{table} ({', '.join(columns)}) VALUES", rows[i : i + 5000]
            )
    data = load(lambda _name, sql: chdb_executor.execute(sql), database, FIRST, LAST)
    current = analyse(data, PilotOptions(), SCHEDULE, DeadLetters(False, "not read here", []))
    words, at = Words("en"), datetime(2013, 12, 5, tzinfo=UTC)
    old = to_json(result, words, generated_at=at, database=database)
    new = to_json(current, words, generated_at=at, database=database)
    assert _same(old, new) == []
    assert new["summary"]["headline"]["calls"] > 8000


def _dead_letters(topic: str, bootstrap: str) -> None:
    from kafka import KafkaProducer

    inside = b'{"occurred_at": "2013-03-04T19:10:00+01:00"}'
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        for at in (datetime(2013, 3, 4, 18, 10, tzinfo=UTC), datetime(2014, 2, 1, tzinfo=UTC)):
            letter = make_dead_letter(
                stage="ingest", reason="test", payload=inside, keys=None, rejected_at=at
            )
            producer.send(topic, letter.model_dump_json().encode()).get(timeout=30)
    finally:
        producer.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_command_writes_a_document_chromium_renders_cleanly(
    lang: str,
    year_db: str,
    clickhouse_env: Callable[..., dict[str, str]],
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    unique_name: str,
    chromium: Any,
    tmp_path: Path,
) -> None:
    (topic,) = make_topics(f"{unique_name}.dlq", partitions=1)
    _dead_letters(topic, kafka_bootstrap)
    out = tmp_path / "report"
    env = {
        **os.environ,
        **clickhouse_env("reader", year_db),
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HOTLINE_PILOT_REPORT_DEAD_LETTER_TOPICS": json.dumps([topic]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "hotline_cli", "pilot-report", "--from", FIRST.isoformat(),
         "--to", LAST.isoformat(), "--lang", lang, "--out", str(out), "--no-progress"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    page = out / "pilot-report.html"
    assert f"report: {page.resolve()}" in done.stdout
    assert "the model is better" in done.stdout
    size = page.stat().st_size
    assert size < 5 * 1024 * 1024
    body = json.loads((out / "pilot-report.json").read_text(encoding="utf-8"))
    dead = body["quality"]["dead_letters"]
    assert dead["available"], dead["reason"]
    (letters,) = dead["topics"]
    assert (letters["total"], letters["rejected_in_range"], letters["events_in_range"]) == (2, 1, 2)
    assert body["lang"] == lang
    chromium.open(page.resolve().as_uri())
    assert chromium.errors() == []
    images = chromium.evaluate("document.images.length")
    broken = chromium.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length"
    )
    assert (images, broken) == (7, 0)
    assert chromium.evaluate("document.documentElement.lang") == lang
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for section in SECTIONS:
        shot = chromium.screenshot(section)
        assert shot.startswith(b"\x89PNG")
        assert len(shot) > 10_000, section
        (ARTIFACTS / f"{lang}-{section}.png").write_bytes(shot)
    pdf = chromium.pdf()
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= len(SECTIONS) + 1  # the title page and a page or more per section
    (ARTIFACTS / f"pilot-report-{lang}.pdf").write_bytes(pdf)
    sys.stdout.write(f"\npilot report ({lang}): {size} bytes, {pages} PDF pages, {ARTIFACTS}\n")
