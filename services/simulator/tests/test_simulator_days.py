"""`hotline simulate --days N`: several opening evenings in one run, by the pilot's schedule
(holidays and weekends are closed days: simulated, with only the closed message)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from hotline_schemas import CallEvent
from hotline_schemas.hours import load_schedule
from hotline_simulator import __main__ as simulator_main
from hotline_simulator import evening

PILOT = load_schedule(None)
SUNDAY = date(2013, 3, 24)
EASTER_SUNDAY = date(2013, 3, 31)
SATURDAY = date(2013, 3, 30)
WEDNESDAY = date(2013, 3, 27)  # the last opening evening before Easter (28 March: Skærtorsdag)


def dry_run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> list[CallEvent]:
    status = simulator_main.main(["--dry-run", "--seed", "1", "--date", "2013-03-24", *argv])
    assert status == 0
    lines = capsysbinary.readouterr().out.splitlines()
    return [CallEvent.model_validate_json(line) for line in lines]


def local_date(event: CallEvent) -> date:
    return event.occurred_at.astimezone(evening.TZ).date()


def test_opening_days_ending_counts_back_over_sunday_to_thursday_only() -> None:
    days = evening.opening_days_ending(SUNDAY, 21, PILOT)
    assert len(days) == 21
    assert days[0] == date(2013, 2, 24)
    assert days[-1] == SUNDAY
    assert days == sorted(set(days))
    calendar = [date(2013, 2, 24) + timedelta(n) for n in range(29)]
    assert days == [d for d in calendar if d.weekday() not in (4, 5)]


def test_opening_days_skip_the_pilots_holidays() -> None:
    days = evening.opening_days_ending(date(2013, 4, 3), 5, PILOT)
    # Skærtorsdag (28 Mar), Påskedag (31 Mar) and 2. påskedag (1 Apr) are closed.
    assert days == [
        date(2013, 3, 25),
        date(2013, 3, 26),
        WEDNESDAY,
        date(2013, 4, 2),
        date(2013, 4, 3),
    ]
    assert evening.opening_days_ending(EASTER_SUNDAY, 1, PILOT) == [WEDNESDAY]
    # The run covers the closed days among and after the evenings too.
    covered = evening.days_covering(EASTER_SUNDAY, 2, PILOT)
    assert covered == [date(2013, 3, 26) + timedelta(n) for n in range(6)]


def test_opening_days_ending_on_a_closed_day_ends_at_the_evening_before() -> None:
    assert evening.opening_days_ending(SATURDAY, 1, PILOT) == [WEDNESDAY]
    assert evening.opening_days_ending(SATURDAY, 3, PILOT) == [
        date(2013, 3, 25),
        date(2013, 3, 26),
        WEDNESDAY,
    ]
    with pytest.raises(ValueError, match="at least 1"):
        evening.opening_days_ending(SUNDAY, 0, PILOT)


def test_dry_run_with_days_writes_consecutive_evenings_in_time_order(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    three = dry_run(capsysbinary, "--days", "3")
    one = dry_run(capsysbinary, "--days", "1")
    default = dry_run(capsysbinary)
    # Wednesday, Thursday and Sunday are open; Friday and Saturday bring closed-message calls.
    assert {local_date(e) for e in three} == {date(2013, 3, 20) + timedelta(n) for n in range(5)}
    assert len({e.event_id for e in three}) == len(three)
    assert [e.occurred_at for e in three] == sorted(e.occurred_at for e in three)
    assert one == default
    assert [e for e in three if local_date(e) == SUNDAY] == one


def test_days_zero_is_an_option_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hotline_simulator", "--dry-run", "--days", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--days must be at least 1" in result.stderr
    assert result.stdout == ""


def test_days_with_live_is_an_option_error(caplog: pytest.LogCaptureFixture) -> None:
    status = simulator_main.main(["--dry-run", "--live", "--days", "2"])
    assert status == 2
    assert "--days cannot be used with --live" in caplog.text
