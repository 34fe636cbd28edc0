"""What-if scenarios: demand scaling, new days and hours, staffing against the 19-person team."""

from __future__ import annotations

import argparse
import itertools
from datetime import time

import pytest

from hotline_capacity.scenario_args import (
    add_scenario_arguments,
    parse_days,
    parse_hours,
    parse_scenario,
    parse_target,
)
from hotline_capacity.whatif import (
    TEAM_SIZE,
    IntervalLoad,
    OpeningHours,
    Scenario,
    apply,
    staffing_per_interval,
    summarize,
)

EVENING = [time(18, 30), time(19), time(19, 30), time(20), time(20, 30), time(21), time(21, 30)]
SUN_THU = (6, 0, 1, 2, 3)
BASE_POPULATION = 615_419


def _profile(scale: float = 1.0, patience: float | None = None) -> list[IntervalLoad]:
    return [
        IntervalLoad(
            weekday=d,
            start=t,
            offered_mean=scale * (10 + i + d),
            offered_p90=scale * (14 + i + d),
            aht_seconds=300 + 10 * d,
            patience_seconds=patience,
        )
        for d in SUN_THU
        for i, t in enumerate(EVENING)
    ]


def test_no_scenario_keeps_the_profile() -> None:
    profile = _profile()
    assert apply(profile, Scenario()) == sorted(profile, key=lambda x: x.key)


def test_growth_scales_offered_exactly() -> None:
    profile = _profile()
    grown = apply(profile, Scenario(demand_growth=1.1))
    by_key = {x.key: x for x in profile}
    assert len(grown) == len(profile)
    for load in grown:
        base = by_key[load.key]
        assert load.offered_mean == base.offered_mean * 1.1
        assert load.offered_p90 == base.offered_p90 * 1.1
        assert load.aht_seconds == base.aht_seconds


def test_extra_population_scales_by_population_ratio() -> None:
    scenario = Scenario(extra_population=50_000, base_population=BASE_POPULATION)
    scaled = apply(_profile(), scenario)
    ratio = (BASE_POPULATION + 50_000) / BASE_POPULATION
    for load, base in zip(scaled, sorted(_profile(), key=lambda x: x.key), strict=True):
        assert load.offered_mean == pytest.approx(base.offered_mean * ratio, rel=1e-15)


def test_extra_population_needs_a_base() -> None:
    with pytest.raises(ValueError, match="base population"):
        Scenario(extra_population=50_000)


def test_adding_friday_creates_donor_intervals() -> None:
    profile = _profile()
    out = apply(profile, Scenario(add_days=frozenset({4}), donor_factor=0.5))
    friday = [x for x in out if x.weekday == 4]
    assert [x.start for x in friday] == EVENING
    for load in friday:
        donors = [x for x in profile if x.start == load.start]
        mean = sum(x.offered_mean for x in donors) / len(donors)
        assert load.offered_mean == pytest.approx(0.5 * mean)
        weighted_aht = sum(x.aht_seconds * x.offered_mean for x in donors) / sum(
            x.offered_mean for x in donors
        )
        assert load.aht_seconds == pytest.approx(weighted_aht)
    assert len(out) == len(profile) + len(EVENING)


def test_earlier_opening_borrows_from_nearest_time_and_drops_closed_days() -> None:
    profile = _profile()
    hours = OpeningHours(frozenset({6, 0}), time(18), time(22))
    out = apply(profile, Scenario(hours=hours))
    assert {x.weekday for x in out} == {6, 0}
    assert [x.start for x in out if x.weekday == 6] == [time(18), *EVENING]
    at_1800 = next(x for x in out if x.key == (6, time(18)))
    donors = [x.offered_mean for x in profile if x.start == time(18, 30)]  # all five days
    assert at_1800.offered_mean == pytest.approx(sum(donors) / len(donors))
    kept = next(x for x in out if x.key == (6, time(18, 30)))
    assert kept == next(x for x in profile if x.key == (6, time(18, 30)))


def _staffing(profile: list[IntervalLoad], scenario: Scenario) -> list[int]:
    return [s.mean.rostered_agents for s in staffing_per_interval(profile, scenario)]


def test_staffing_is_monotone_in_load() -> None:
    growths = [0.5, 1.0, 1.1, 2.0, 5.0]
    needs = [_staffing(apply(_profile(), Scenario(demand_growth=g)), Scenario()) for g in growths]
    for low, high in itertools.pairwise(needs):
        assert all(a <= b for a, b in zip(low, high, strict=True))
    assert needs[0] != needs[-1]


def test_p90_needs_at_least_the_mean_and_patience_means_erlang_a() -> None:
    rows = staffing_per_interval(_profile(patience=120), Scenario())
    assert all(r.p90.rostered_agents >= r.mean.rostered_agents for r in rows)
    assert all(r.mean.abandonment_probability is not None for r in rows)
    erlang_c = staffing_per_interval(_profile(), Scenario())
    assert all(r.mean.abandonment_probability is None for r in erlang_c)


def test_summary_compares_with_the_team() -> None:
    # 10-16 calls per half hour at 5 minutes: 2-3 Erlang, far below 19 agents...
    quiet = summarize(staffing_per_interval(_profile(), Scenario()))
    assert quiet.team_size == TEAM_SIZE == 19
    assert quiet.over_team_mean == ()
    assert quiet.peak_rostered_mean < TEAM_SIZE
    # ...but 12 times the demand puts the busy early evenings over the team.
    rows = staffing_per_interval(apply(_profile(), Scenario(demand_growth=12)), Scenario())
    busy = summarize(rows)
    over = [r.load.key for r in rows if r.mean.rostered_agents > 19]
    assert over
    assert list(busy.over_team_mean) == over
    assert busy.peak_rostered_mean == max(r.mean.rostered_agents for r in rows) > 19
    assert busy.agent_hours_mean == sum(r.mean.rostered_agents for r in rows) / 2
    assert busy.agent_hours_p90 >= busy.agent_hours_mean
    assert "against a team of 19" in busy.describe()


def test_parse_hours_and_days() -> None:
    hours = parse_hours("Sun-Thu 18:00-22:00")
    assert hours.days == frozenset(SUN_THU)
    assert hours.times()[0] == time(18)
    assert hours.times()[-1] == time(21, 30)
    assert parse_days("Fri") == frozenset({4})
    assert parse_days("sun,Tue-Wed") == frozenset({6, 1, 2})
    assert parse_hours("Sat 22:00-24:00").times() == [
        time(22),
        time(22, 30),
        time(23),
        time(23, 30),
    ]
    assert parse_target("0.8/20") == (0.8, 20.0)
    assert parse_target("90%/30") == (0.9, 30.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Sun-Thu", 'expected "DAYS HH:MM-HH:MM"'),
        ("Sun-Thx 18:00-22:00", "unknown day 'Thx'"),
        ("Sun-Thu 18:15-22:00", "HH:00 or HH:30"),
        ("Sun-Thu 22:00-18:00", "not before closing"),
        ("Sun,,Mon 18:00-22:00", "empty day"),
    ],
)
def test_parse_hours_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(text)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_scenario_arguments(parser)
    return parser.parse_args(argv)


def test_parse_scenario_from_command_line() -> None:
    args = _args(
        "--hours", "Sun-Thu 18:00-22:00", "--add-day", "Fri", "--extra-population", "50000",
        "--growth", "1.1", "--target", "0.8/20",
    )  # fmt: skip
    scenario = parse_scenario(args, base_population=BASE_POPULATION)
    assert scenario.hours == OpeningHours(frozenset(SUN_THU), time(18), time(22))
    assert scenario.add_days == frozenset({4})
    assert scenario.extra_population == 50_000
    assert scenario.demand_growth == 1.1
    assert (scenario.service_level_target, scenario.answer_within_seconds) == (0.8, 20.0)
    assert parse_scenario(_args()) == Scenario()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--growth", "lots"], "--growth 'lots': expected a number"),
        (["--growth", "-1"], ">= 0"),
        (["--target", "0.8"], "--target '0.8': expected \"LEVEL/SECONDS\""),
        (["--target", "80/20"], "level must be between 0 and 1"),
        (["--add-day", "Fry"], "--add-day 'Fry': unknown day"),
        (["--extra-population", "5e4"], "expected a whole number"),
        (["--extra-population", "50000"], "pass the municipalities' population"),
    ],
)
def test_parse_scenario_errors(argv: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_scenario(_args(*argv))
