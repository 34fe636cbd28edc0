"""The report over two simulated weeks (seeded, across the 2013-03-31 DST switch) in the real
ClickHouse 18.16, against the same figures counted in plain Python from the call records.

The records are built by enrich's own pure functions from the simulator's events, inserted
as the sink would, read back through the load views and turned into the report's figures.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from clickhouse_driver import Client

from hotline_enrich.call_records import RecordConfig, observe
from hotline_enrich.call_state import CallState
from hotline_enrich.enrichment import EnrichmentContext, enrich
from hotline_enrich.hours import load_schedule
from hotline_enrich.reference import PostcodeTable
from hotline_enrich.taxonomy import load_taxonomy
from hotline_report.analysis import ReportOptions, analyse
from hotline_report.queries import load
from hotline_schemas import CallRecord
from hotline_schemas.config import ClickHouseConnection
from hotline_simulator import evening
from hotline_simulator.model import SimulationConfig, evening_rng, simulate_evening
from hotline_sink import migrations
from hotline_sink.clickhouse import connect, server_version
from hotline_sink.dialect import Dialect
from hotline_sink.record_rows import COLUMNS, to_row
from hotline_sink.reference import load_municipalities

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Europe/Copenhagen")
SEED = 7
LAST = date(2013, 4, 4)  # Thursday after the DST switch: 10 evenings from Sun 24 March
NOW = datetime(2013, 4, 5, tzinfo=UTC)


def _records() -> list[CallRecord]:
    ctx = EnrichmentContext(
        postcodes=PostcodeTable.load(),
        schedule=load_schedule(None),
        taxonomy=load_taxonomy(None),
        secret=b"test-secret",
    )
    config = RecordConfig()
    states: dict[str, CallState] = {}
    latest: dict[str, CallRecord] = {}
    for day in evening.opening_days_ending(LAST, 10):
        for event in simulate_evening(day, SimulationConfig(), evening_rng(SEED, day)):
            enriched = enrich(event, ctx, NOW)
            state = states.get(event.call_id, CallState(call_id=event.call_id))
            step = observe(state, enriched, config, NOW)
            assert step.state is not None
            states[event.call_id] = step.state
            if step.record is not None:
                latest[event.call_id] = step.record
    return list(latest.values())


@pytest.fixture(scope="module")
def records() -> list[CallRecord]:
    return _records()


@pytest.fixture
def client(clickhouse_writer: ClickHouseConnection, clickhouse_database: str) -> Iterator[Client]:
    client = connect(clickhouse_writer.model_copy(update={"database": clickhouse_database}))
    dialect = Dialect.for_version(server_version(client))
    migrations.apply(client, dialect, clickhouse_database)
    load_municipalities(client, clickhouse_database, dialect.session_settings())
    yield client
    client.disconnect()


def _local(record: CallRecord) -> datetime:
    return record.started_at.astimezone(TZ)


def test_report_figures_match_a_count_of_the_simulated_records(
    client: Client, clickhouse_database: str, records: list[CallRecord]
) -> None:
    client.execute(
        f"INSERT INTO {clickhouse_database}.call_records ({', '.join(COLUMNS)}) VALUES",
        [to_row(r) for r in records],
    )
    data = load(lambda _name, sql: client.execute(sql), clickhouse_database)
    result = analyse(data, ReportOptions())

    open_records = [r for r in records if r.within_hours]
    open_dates = {_local(r).date() for r in open_records}
    assert len(open_dates) == 10
    assert result.open_evenings == 10

    members = Counter(r.municipality_name for r in open_records if r.in_catchment)
    population = {m.name: m.population for m in data.municipalities}
    for m in data.municipalities:
        assert m.calls == members[m.name]
        assert m.calls_per_1000_per_evening == pytest.approx(
            members[m.name] * 1000 / population[m.name] / 10
        )

    def origin(r: CallRecord) -> str:
        if not r.caller_postcode:
            return "no_postcode"
        if r.municipality_code is None:
            return "unknown_postcode"
        return "catchment" if r.in_catchment else "outside_catchment"

    assert {o.origin: o.calls for o in data.origin} == Counter(origin(r) for r in records)

    closed = Counter((_local(r).weekday(), _local(r).hour) for r in records if not r.within_hours)
    assert {(c.weekday, c.hour): c.calls for c in data.while_closed} == closed

    # Offered per local half hour, zeros filled over the open evenings of each weekday. The
    # week straddles 31 March: local 18:30 is 17:30 UTC before it and 16:30 UTC after.
    cells: Counter[tuple[date, int]] = Counter(
        (_local(r).date(), _local(r).hour * 60 + _local(r).minute // 30 * 30) for r in open_records
    )
    slots: dict[int, set[int]] = defaultdict(set)
    for day, slot in cells:
        slots[day.weekday()].add(slot)
    expected: dict[tuple[int, int], float] = {}
    for weekday, minutes in slots.items():
        days = [d for d in open_dates if d.weekday() == weekday]
        for slot in minutes:
            expected[(weekday, slot)] = sum(cells[(d, slot)] for d in days) / len(days)
    got = {(p.weekday, p.start.hour * 60 + p.start.minute): p.offered_mean for p in result.profile}
    assert got == pytest.approx(expected)
    assert min(got) == (0, 18 * 60 + 30)  # Monday 18:30 local, on both sides of the switch

    waited = [r for r in open_records if r.outcome.value in ("answered", "abandoned")]
    abandons = sum(r.outcome.value == "abandoned" for r in open_records)
    assert result.patience.abandons == abandons
    assert result.patience.seconds == pytest.approx(
        math.fsum(r.wait_seconds or 0 for r in waited) / abandons
    )
    assert result.forecast is not None
    assert result.forecast.week_start == date(2013, 4, 8)
