"""`hotline schedule`: what the scripts (make run) and operators read from the one schedule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline_cli.main import main


def test_days_show_the_holidays_and_weekends_of_the_pilot(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schedule", "days", "--from", "2013-03-28", "--to", "2013-04-02"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2013-03-28 Thu closed (")  # Skærtorsdag
    assert lines[1] == "2013-03-29 Fri closed"
    assert lines[3].startswith("2013-03-31 Sun closed (")  # Easter Sunday
    assert lines[4].startswith("2013-04-01 Mon closed (")  # Easter Monday
    assert lines[5] == "2013-04-02 Tue open 18:30-22:00"


def test_last_and_next_open_step_over_easter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "last-open", "2013-03-31"]) == 0
    assert main(["schedule", "next-open", "2013-03-31"]) == 0
    assert capsys.readouterr().out.split() == ["2013-03-27", "2013-04-02"]


def test_another_schedule_file_is_read_from_the_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = {"weekly": {"monday": [{"start": "09:00", "end": "12:00"}]}}
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(schedule))
    monkeypatch.setenv("HOTLINE_RULES__SCHEDULE_FILE", str(path))
    assert main(["schedule", "next-open", "2013-03-31"]) == 0
    assert capsys.readouterr().out.strip() == "2013-04-01"


def test_next_open_after_the_pilot_ended_fails_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "next-open", "2013-12-01"]) == 1
    assert "no opening day" in capsys.readouterr().err
