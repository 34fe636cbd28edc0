"""The pilot document's words, numbers and HTML: both languages complete, Danish number
formats, labels from the dimensions, everything escaped, and the data files agree with it."""

from __future__ import annotations

import csv
import io
import json
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hotline_report.pilot.analysis import PilotOptions, PilotResult, analyse
from hotline_report.pilot.data import Member, MunicipalityCalls, PilotData
from hotline_report.pilot.i18n import TEXT, Words
from hotline_report.pilot.labels import days_text
from hotline_report.pilot.quality import DeadLetterCount, DeadLetters
from hotline_report.pilot_cli import write_report
from hotline_schemas.hours import load_schedule

AT = datetime(2013, 12, 5, 9, 0, tzinfo=UTC)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_exists_in_both_languages_with_the_same_placeholders() -> None:
    assert TEXT["da"].keys() == TEXT["en"].keys()
    for key in TEXT["da"]:
        assert _fields(TEXT["da"][key]) == _fields(TEXT["en"][key]), key


def test_danish_and_english_number_formats() -> None:
    da, en = Words("da"), Words("en")
    assert (da.count(36951), en.count(36951)) == ("36.951", "36,951")
    assert (da.num(1234.56, 1), en.num(1234.56, 1)) == ("1.234,6", "1,234.6")
    assert (da.pct(0.626), en.pct(0.626)) == ("63 %", "63%")
    assert da.pct(-0.0163, 1, signed=True) == "-1,6 %"
    assert en.pct(0.25, signed=True) == "+25%"
    assert (da.day(date(2012, 12, 3)), en.day(date(2012, 12, 3))) == ("3. dec. 2012", "3 Dec 2012")
    assert da.month(date(2013, 3, 1)) == "marts 2013"
    assert (da.p(0.0004), da.p(0.85)) == ("p < 0,001", "p = 0,850")
    assert da.pct(None) == "–"
    assert days_text(da, {6, 0, 1, 2, 3}) == "søn–tor"
    assert days_text(en, {0, 1, 2, 3}) == "Mon–Thu"
    assert days_text(en, {0, 2}) == "Mon, Wed"
    with pytest.raises(ValueError, match="language"):
        Words("sv")


def _result(data: PilotData, name: str = "Aarhus") -> PilotResult:
    members = [Member(751, name, 319094, date(2013, 1, 1), "FOLK1"), *data.members[1:]]
    letters = DeadLetters(True, "", [DeadLetterCount("hotline.call-events.raw.dlq", 5, 2, 1, 1, 0)])
    return analyse(
        data.__class__(**{**data.__dict__, "members": members}),
        PilotOptions(),
        load_schedule(None),
        letters,
    )


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_document_has_every_section_in_its_language(
    lang: str, tmp_path: Path, small_pilot: PilotData
) -> None:
    path = write_report(_result(small_pilot), tmp_path, lang, "hotline", AT)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page
    for section in ("summary", "service", "options", "forecast", "quality", "method"):
        assert f'<section id="{section}">' in page
    assert "<script" not in page  # nothing to run, nothing to fail
    assert re.search(r"\{\w+\}", page) is None  # no placeholder left unfilled
    assert page.count("data:image/png;base64,") >= 5
    if lang == "da":
        assert "Status på en sag" in page  # the topic dimension's Danish label
        assert "Serviceniveau" in page
        assert "Sagsbehandling" not in page  # no call about it: not invented
    else:
        assert "Status of a case" in page
        assert "Service level" in page
    assert "hotline.call-events.raw.dlq" in page
    assert "@media print" in page
    assert "break-before: page" in page


def test_names_from_the_data_are_escaped(tmp_path: Path, small_pilot: PilotData) -> None:
    result = _result(small_pilot, 'Aar<b>hus & "Co"')
    path = write_report(result, tmp_path, "en", "hotline", AT)
    page = path.read_text(encoding="utf-8")
    assert "Aar<b>hus" not in page
    assert "Aar&lt;b&gt;hus &amp; &quot;Co&quot;" in page


def test_json_and_csv_hold_the_documents_figures(tmp_path: Path, small_pilot: PilotData) -> None:
    write_report(_result(small_pilot), tmp_path, "da", "hotline", AT)
    body = json.loads((tmp_path / "pilot-report.json").read_text(encoding="utf-8"))
    headline = body["summary"]["headline"]
    assert (headline["calls"], headline["callers"]) == (14, 9)
    assert headline["service_level"] == pytest.approx(8 / 12)
    assert body["range"] == {"first": "2013-03-01", "last": "2013-03-10"}
    assert body["generated_at"] == "2013-12-05T09:00:00+00:00"
    assert body["quality"]["dead_letters"]["topics"][0]["rejected_in_range"] == 2
    assert body["options"]["break_even"]["formula"] == "p* = H * w / (N * (k - 1) * c)"
    months = list(csv.DictReader(io.StringIO((tmp_path / "csv" / "months.csv").read_text())))
    assert months[0]["month"] == "2013-03-01"
    assert int(months[0]["calls"]) == 14
    options = list(csv.DictReader(io.StringIO((tmp_path / "csv" / "options.csv").read_text())))
    assert options[0]["key"] == "today"
    assert float(options[0]["agent_hours_per_week"]) == pytest.approx(
        body["options"]["rows"][0]["agent_hours_per_week"]
    )
    assert {p.name for p in (tmp_path / "csv").iterdir()} >= {
        "months.csv", "municipalities.csv", "municipality_pairs.csv", "topics.csv",
        "service_half_hours.csv", "options.csv", "forecast_weeks.csv", "backtest_weeks.csv",
        "quality.csv", "dead_letters.csv",
    }  # fmt: skip


def test_real_differences_between_municipalities_are_named(
    tmp_path: Path, small_pilot: PilotData
) -> None:
    # Odder: 60 calls from 21,800 citizens against Aarhus's 10 from 319,094: no chance result.
    data = small_pilot.__class__(
        **{
            **small_pilot.__dict__,
            "municipalities": [MunicipalityCalls(751, 10, 8), MunicipalityCalls(727, 60, 50)],
        }
    )
    result = analyse(data, PilotOptions(), load_schedule(None), DeadLetters(False, "x", []))
    assert result.summary.comparison is not None
    assert result.summary.comparison.differ
    page = write_report(result, tmp_path, "da", "hotline", AT).read_text(encoding="utf-8")
    assert "Forskellene mellem kommunerne er større end tilfældigheder giver (p &lt; 0,001)" in page
    assert "Flere opkald pr. borger end de øvrige: Odder. Færre: Aarhus." in page


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("da", "at holde 8 uger tilbage kræver mindst 10 uger med data, og perioden har"),
        ("en", "holding back 8 weeks needs at least 10 weeks with data, and the period has"),
    ],
)
def test_a_period_too_short_to_test_the_forecast_says_so_in_its_language(
    lang: str, sentence: str, tmp_path: Path, small_pilot: PilotData
) -> None:
    result = _result(small_pilot)
    assert result.outlook.backtest is None  # a few weeks: nothing to hold back
    page = write_report(result, tmp_path, lang, "hotline", AT).read_text(encoding="utf-8")
    assert sentence in page
    if lang == "da":
        assert "week(s)" not in page  # the back-test's own English reason stays out
