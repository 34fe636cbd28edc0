"""The staffing CLI, run in-process through ``main(argv)``."""

from __future__ import annotations

import argparse
import json

import pytest

from hotline_capacity.cli import main

EXAMPLE = [
    "staffing",
    "--calls",
    "60",
    "--interval-minutes",
    "30",
    "--aht-seconds",
    "300",
    "--answer-within-seconds",
    "20",
    "--target-service-level",
    "0.8",
    "--max-occupancy",
    "0.85",
]
KEYS = {
    "agents",
    "rostered_agents",
    "service_level",
    "occupancy",
    "waiting_probability",
    "average_speed_of_answer_seconds",
}


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, float]:
    assert main([*argv, "--json"]) == 0
    out = capsys.readouterr().out
    data: dict[str, float] = json.loads(out)
    assert list(data) == sorted(data)
    return data


def test_erlang_c_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(EXAMPLE, capsys)
    assert set(data) == KEYS
    assert data["agents"] == 14
    assert data["rostered_agents"] == 14
    assert data["service_level"] == pytest.approx(0.8666, abs=1e-4)
    assert data["occupancy"] == pytest.approx(10 / 14, abs=1e-4)
    assert data["waiting_probability"] == pytest.approx(0.1741, abs=1e-4)
    assert data["average_speed_of_answer_seconds"] == pytest.approx(13.06, abs=0.01)


def test_erlang_a_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json([*EXAMPLE, "--patience-seconds", "180"], capsys)
    assert set(data) == KEYS | {"abandonment_probability"}
    assert data["agents"] == 13  # hang-ups shorten the queue, so one agent fewer
    assert 0.8 <= data["service_level"] < 0.9
    assert 0 < data["abandonment_probability"] < 0.1
    # Little's law: mean wait of all callers = P(abandon) x mean patience.
    assert data["average_speed_of_answer_seconds"] == pytest.approx(
        data["abandonment_probability"] * 180, abs=0.02
    )


def test_defaults_and_shrinkage(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(["staffing", "--calls", "60", "--shrinkage", "0.3"], capsys)
    assert (data["agents"], data["rostered_agents"]) == (14, 20)


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(EXAMPLE) == 0
    out = capsys.readouterr().out
    assert "Erlang C" in out
    assert "Productive agents        14" in out
    assert "Needs 14 rostered agents; the team has 19 (5 to spare)." in out
    assert main([*EXAMPLE, "--patience-seconds", "180"]) == 0
    out = capsys.readouterr().out
    assert "Erlang A" in out
    assert "Abandonment" in out


def test_table_reports_a_shortfall(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staffing", "--calls", "200", "--shrinkage", "0.2"]) == 0
    assert "the team has 19 (short by" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target-service-level", "1.5"], "target service level"),
        (["--shrinkage", "1"], "shrinkage"),
        (["--max-occupancy", "0"], "max occupancy"),
        (["--patience-seconds", "-3"], "patience"),
        (["--aht-seconds", "0"], "AHT"),
    ],
)
def test_bad_values_exit_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*EXAMPLE, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["staffing", "--calls", "lots"],
        ["staffing", "--calls", "nan"],
        ["staffing"],  # --calls is required
        ["staffing", "--calls", "60", "--bogus"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_register_mounts_into_a_parent_command(capsys: pytest.CaptureFixture[str]) -> None:
    # The way the `hotline` command mounts it: register(subparsers), then args.func(args).
    from hotline_capacity.cli import register

    parser = argparse.ArgumentParser(prog="hotline")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([*EXAMPLE, "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["agents"] == 14


def test_percentages_are_shown_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*EXAMPLE, "--target-service-level", "0.875", "--shrinkage", "0.125"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "87.5% within 20 s" in out
    assert "12.5%" in out
