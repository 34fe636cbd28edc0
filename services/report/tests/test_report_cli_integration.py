"""`hotline load-report` against the real ClickHouse 18.16 server, over the fixed history of
conftest.py (answers worked out by hand there), as a user runs it: a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clickhouse_driver import Client

from hotline_capacity.staffing import required_agents
from hotline_report.cli import ProgressRunner
from hotline_report.queries import QUERIES, load

pytestmark = pytest.mark.integration

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _hotline(login: dict[str, str], database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **login, "HOTLINE_CLICKHOUSE__DATABASE": database}
    return subprocess.run(
        [sys.executable, "-m", "hotline_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def reader(clickhouse_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    """The report logs in as the read-only user, as it does in production."""
    return clickhouse_env("reader")


@pytest.fixture
def history_db(
    clickhouse_env: Callable[..., dict[str, str]],
    clickhouse_client: Client,
    clickhouse_database: str,
    insert_history: Any,
) -> str:
    migrated = _hotline(clickhouse_env("writer"), clickhouse_database, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    insert_history(clickhouse_client, clickhouse_database)
    return clickhouse_database


def _report(
    login: dict[str, str], database: str, out: Path, *args: str
) -> tuple[dict[str, Any], str]:
    done = _hotline(login, database, "load-report", "--out", str(out), "--no-progress", *args)
    assert done.returncode == 0, done.stderr
    # The command says where the report is.
    assert f"report: {out.resolve() / 'report.md'}" in done.stdout
    body: dict[str, Any] = json.loads((out / "report.json").read_text())
    return body, done.stdout


def test_report_on_a_fixed_history_has_the_hand_computed_answers(
    reader: dict[str, str], history_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    report, stdout = _report(reader, history_db, out)
    assert "today: Peak " in stdout

    assert report["history"] == {
        "first_date": "2013-03-03",
        "last_date": "2013-03-11",
        "open_evenings": 4,
        "calls": 15,
        "member_population": 615419,
    }
    per_citizen = {m["name"]: m["calls_per_1000_per_evening"] for m in report["municipalities"]}
    assert per_citizen["Aarhus"] == pytest.approx(5 * 1000 / 319094 / 4)
    assert per_citizen["Silkeborg"] == pytest.approx(3 * 1000 / 89346 / 4)
    shares = {o["origin"]: o["share"] for o in report["origin"]}
    assert shares["no_postcode"] == pytest.approx(1 / 15)
    assert shares["catchment"] == pytest.approx(12 / 15)
    assert [(c["weekday"], c["hour"], c["calls"]) for c in report["while_closed"]] == [
        ("Fri", 19, 2),
        ("Sun", 22, 1),
    ]

    # Patience: 190 s of waiting (answered and abandoned) over 1 abandon. AHT: 3200 s / 11.
    assumptions = report["assumptions"]
    assert assumptions["patience_estimated_seconds"] == pytest.approx(190)
    assert assumptions["model"] == "erlang_a"
    assert assumptions["aht_seconds"] == pytest.approx(3200 / 11)

    intervals = {(i["weekday"], i["start"]): i for i in report["intervals"]}
    assert list(intervals) == [("Mon", "18:30"), ("Sun", "18:30"), ("Sun", "19:00")]
    sunday = intervals[("Sun", "18:30")]  # 4 and 2 calls on the two Sundays
    assert (sunday["evenings"], sunday["offered_mean"]) == (2, 3.0)
    assert sunday["offered_p90"] == pytest.approx(2 + 0.9 * (4 - 2))
    late = intervals[("Sun", "19:00")]  # 2 calls, then none: a real zero
    assert (late["offered_mean"], late["offered_p90"]) == (1.0, pytest.approx(1.8))
    assert late["observed_abandonment_rate"] == pytest.approx(0.5)
    assert late["observed_aht_seconds"] == pytest.approx(200)
    expected = required_agents(
        calls=3.0,
        interval_minutes=30,
        aht_seconds=300.0,
        answer_within_seconds=20,
        target_service_level=0.8,
        max_occupancy=0.85,
        shrinkage=0,
        patience_seconds=190.0,
    )
    assert sunday["mean"]["agents"] == expected.agents
    assert report["staffing_summary"]["team_size"] == 19
    assert report["staffing_summary"]["over_team_mean"] == []

    forecast = report["forecast"]
    assert forecast["week_start"] == "2013-03-18"
    assert forecast["backtest"]["weeks"] == ["2013-03-04", "2013-03-11"]
    assert forecast["backtest"]["model"]["mae"] >= 0

    markdown = (out / "report.md").read_text()
    for heading in ("Calls per 1,000 citizens", "Demand while closed", "Forecast", "Back-test"):
        assert heading in markdown
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == [
        "calls-per-1000.png",
        "demand-while-closed.png",
        "forecast.png",
        "load-against-team.png",
    ]
    for name in pngs:
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
        assert f"]({name})" in markdown


def test_what_if_adds_friday_and_growth(
    reader: dict[str, str], history_db: str, tmp_path: Path
) -> None:
    report, stdout = _report(
        reader,
        history_db,
        tmp_path / "whatif",
        "--add-day",
        "Fri",
        "--growth",
        "1.5",
        "--label",
        "fri",
    )
    assert "fri: Peak " in stdout
    whatif = report["whatif"]
    assert whatif["label"] == "fri"
    loads = {(i["weekday"], i["start"]): i["offered_mean"] for i in whatif["intervals"]}
    assert loads[("Sun", "18:30")] == pytest.approx(3.0 * 1.5)
    # Friday borrows the mean of the days open at that time: (Mon 2 + Sun 3) / 2, then x1.5.
    assert loads[("Fri", "18:30")] == pytest.approx(2.5 * 1.5)
    assert loads[("Fri", "19:00")] == pytest.approx(1.0 * 1.5)  # only Sunday is open at 19:00
    assert len(report["intervals"]) == 3  # today's staffing is unchanged


def test_unreadable_views_are_a_clear_error(
    reader: dict[str, str], clickhouse_database: str, tmp_path: Path
) -> None:
    done = _hotline(reader, clickhouse_database, "load-report", "--out", str(tmp_path / "r"))
    assert done.returncode == 1
    assert "load_by_municipality_v" in done.stderr
    assert "hotline migrate" in done.stderr
    assert "Stack trace" not in done.stderr
    assert not (tmp_path / "r").exists()


def test_bad_scenario_option_is_rejected_before_reading(tmp_path: Path) -> None:
    done = _hotline({}, "nowhere", "load-report", "--out", str(tmp_path / "r"), "--add-day", "Fry")
    assert done.returncode == 2
    assert "unknown day 'Fry'" in done.stderr


def test_long_reads_show_a_progress_bar_of_rows_read(
    clickhouse_reader: Any, history_db: str
) -> None:
    conn = clickhouse_reader
    password = conn.password.get_secret_value()
    client = Client(host=conn.host, port=conn.port, user=conn.user, password=password)
    shown = io.StringIO()
    try:
        data = load(ProgressRunner(client, disable=False, file=shown), history_db)
    finally:
        client.disconnect()
    assert data.calls == 15
    text = shown.getvalue()
    for name in QUERIES:
        assert name in text
    assert " rows" in text
