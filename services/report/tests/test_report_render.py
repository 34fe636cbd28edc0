"""A database with no calls yet (a new pilot) still gives a report that says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hotline_report.analysis import ReportOptions, analyse
from hotline_report.plots import write_plots
from hotline_report.queries import LoadData
from hotline_report.render import to_json, to_markdown


def test_empty_history_gives_a_report_without_figures(tmp_path: Path) -> None:
    result = analyse(LoadData([], [], [], [], [], [], [], [], []), ReportOptions())
    assert result.baseline.staffing == []
    assert result.forecast is None
    assert write_plots(result, tmp_path) == {}
    at = datetime(2013, 3, 31, tzinfo=UTC)
    markdown = to_markdown(result, generated_at=at, database="db", plots={}, base=tmp_path)
    assert "no calls within opening hours yet" in markdown
    assert "nothing to forecast" in markdown
    body = to_json(result, generated_at=at, database="db")
    assert body["history"]["open_evenings"] == 0
    assert body["assumptions"]["model"] == "erlang_c"  # no abandons: no patience to use
