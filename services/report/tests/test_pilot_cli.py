"""`hotline pilot-report` as wiring: bad options stop before any read (exit 2), an unreachable
ClickHouse is exit 1 with the reason, and unreachable Kafka makes the dead letters "not
available" within the time allowed instead of holding the report up."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pytest

from hotline_cli.main import build_parser
from hotline_report import pilot_cli
from hotline_report.pilot.deadletters import read_dead_letters


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2013-02-01", "--to", "2013-01-01"], "before --from"),
        (["--shrinkage", "1.2"], "--shrinkage must be >= 0 and < 1"),
        (["--max-occupancy", "0"], "--max-occupancy must be > 0"),
        (["--online-cost", "-3"], "--online-cost must be > 0"),
        (["--wrap-up-seconds", "-1"], "--wrap-up-seconds must be >= 0"),
    ],
)
def test_bad_options_exit_2_before_reading(
    args: list[str], message: str, caplog: pytest.LogCaptureFixture, tmp_path: object
) -> None:
    assert pilot_cli.main([*args, "--out", str(tmp_path), "--no-dead-letters"]) == 2
    assert message in caplog.text


def test_a_date_that_is_no_date_is_refused_by_the_parser() -> None:
    with pytest.raises(SystemExit) as stopped:
        pilot_cli.main(["--from", "3 Dec 2012"])
    assert stopped.value.code == 2


def test_the_front_door_has_the_command() -> None:
    args = build_parser().parse_args(["pilot-report", "--lang", "en", "--to", "2013-06-30"])
    assert args.func is pilot_cli.run
    assert (args.lang, args.last, args.first) == ("en", date(2013, 6, 30), None)


def test_clickhouse_unreachable_is_exit_1_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    free_port: Callable[[], int],
    caplog: pytest.LogCaptureFixture,
    tmp_path: object,
) -> None:
    monkeypatch.setenv("HOTLINE_CLICKHOUSE__PORT", str(free_port()))
    monkeypatch.setenv("HOTLINE_CLICKHOUSE__USER", "hotline_reader")
    code = pilot_cli.main(["--out", str(tmp_path), "--no-dead-letters", "--no-progress"])
    assert code == 1
    assert "cannot read the pilot views from ClickHouse" in caplog.text


def test_kafka_unreachable_makes_dead_letters_not_available_in_time(
    free_port: Callable[[], int],
) -> None:
    started = time.monotonic()
    letters = read_dead_letters(
        f"127.0.0.1:{free_port()}", ["hotline.call-events.raw.dlq"], date(2013, 1, 1),
        date(2013, 12, 1), timeout_s=2,
    )  # fmt: skip
    assert time.monotonic() - started < 15
    assert not letters.available
    assert letters.topics == []
    assert letters.reason.startswith("no Kafka broker answers at 127.0.0.1:")
