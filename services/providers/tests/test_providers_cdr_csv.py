"""CSV call-detail exports with the shipped example mapping (samples/cdr_export.csv).

The sample is shaped like a Danish provider's statistics export: semicolon-separated, a UTF-8
byte-order mark, CRLF line ends, Danish headers, dd-mm-yyyy local times across both
daylight-saving changes of the pilot, a quoted remark with a line break.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline_providers import cdr_mapping
from hotline_providers.cdr_csv import CdrCsvAdapter
from hotline_providers.formats import CDR_CSV, FormatError, resolve
from hotline_providers.model import Converted
from hotline_providers.reading import records
from hotline_schemas import CallEventV2

SAMPLE = Path(__file__).parent / "samples" / "cdr_export.csv"
MAPPING = cdr_mapping.load(cdr_mapping.EXAMPLE)
ZONE = MAPPING.zone


def convert(mapping: cdr_mapping.Mapping = MAPPING) -> list[Converted]:
    fmt = resolve(CDR_CSV, cdr_mapping.EXAMPLE)
    adapter = CdrCsvAdapter(mapping)
    with SAMPLE.open("rb") as f:
        return [adapter.convert(r.line, r.text) for r in records(f, fmt.framing)]


@pytest.fixture(scope="module")
def results() -> list[Converted]:
    return convert()


@pytest.fixture(scope="module")
def calls(results: list[Converted]) -> dict[str, list[CallEventV2]]:
    out: dict[str, list[CallEventV2]] = defaultdict(list)
    for result in results:
        for event in result.events:
            assert isinstance(event, CallEventV2)
            out[event.call_id.removeprefix("cdr-example:")].append(event)
    return out


def kinds(events: list[CallEventV2]) -> list[tuple[str, str | None]]:
    return [(e.type.value, e.end_reason.value if e.end_reason else None) for e in events]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC)


def test_an_answered_row_in_winter_time(calls: dict[str, list[CallEventV2]]) -> None:
    offered, queued, answered, ended = calls["100231"]
    assert kinds(calls["100231"]) == [
        ("offered", None),
        ("queued", None),
        ("answered", None),
        ("ended", None),
    ]
    assert offered.occurred_at == datetime(2012, 12, 3, 17, 30, 5, tzinfo=UTC)  # 18:30:05 CET
    assert queued.occurred_at == local("2012-12-03 18:30:20")
    assert answered.agent_id == ended.agent_id == "agent-01"
    assert ended.wrap_up_code == "MITID"
    assert offered.caller_number == "+4586123456"
    assert offered.line == "+4570200000"
    assert offered.caller_postcode == "8000"
    assert offered.ivr_choice == "2"
    assert offered.queue == "hotline"
    assert offered.event_id == "cdr-csv-example:100231:offered"


def test_summer_time_is_converted_with_its_own_offset(calls: dict[str, list[CallEventV2]]) -> None:
    offered = calls["100236"][0]
    assert offered.occurred_at == datetime(2013, 3, 31, 16, 30, 4, tzinfo=UTC)  # 18:30:04 CEST
    assert offered.caller_number == "+4586123456"  # 004586123456


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("100232", [("offered", None), ("queued", None), ("abandoned", "caller_hangup")]),
        ("100233", [("offered", None), ("abandoned", "caller_hangup")]),
        ("100234", [("offered", None), ("queued", None), ("abandoned", "queue_timeout")]),
        ("100235", [("offered", None)]),
    ],
)
def test_unanswered_rows_keep_their_end_and_reason(
    calls: dict[str, list[CallEventV2]], call: str, expected: list[tuple[str, str | None]]
) -> None:
    reason = expected[-1][1] if expected[-1][0] == "abandoned" else "closed"
    assert kinds(calls[call]) == [*expected, ("ended", reason)]


def test_a_withheld_number_and_the_multiline_remark(
    calls: dict[str, list[CallEventV2]], results: list[Converted]
) -> None:
    assert calls["100237"][0].caller_number is None
    closed = next(r for r in results if r.events and "100235" in r.events[0].call_id)
    assert closed.line == 6
    assert "\n" in closed.raw  # the record spans two lines of the file


def test_rejected_rows_say_why_with_their_line(results: list[Converted]) -> None:
    rejected = [(r.line, r.rejected.reason) for r in results if r.rejected]
    assert rejected == [
        (
            10,
            "Starttid: 2013-03-31 02:30:00 does not exist in Europe/Copenhagen "
            "(clocks go forward that night)",
        ),
        (
            11,
            "Starttid: 2013-10-27 02:30:00 happens twice in Europe/Copenhagen (daylight saving "
            "ends); set ambiguous_times = 'earlier' or 'later' in the mapping",
        ),
        (12, "Status: 'Voicemail' is not in the mapping's [outcomes]"),
        (13, "Starttid: '2012-12-03 19:20:00' does not match '%d-%m-%Y %H:%M:%S'"),
        (14, "expected 14 columns, got 8"),
        (15, "outcome says answered, but the answer time is empty"),
    ]
    assert results[0].skipped == "header"


@pytest.mark.parametrize(("policy", "hour_utc"), [("earlier", 0), ("later", 1)])
def test_the_mapping_can_say_which_repeated_hour_it_means(policy: str, hour_utc: int) -> None:
    mapping = MAPPING.model_copy(update={"ambiguous_times": policy})
    results = convert(mapping)
    (row,) = [r for r in results if r.line == 11]
    assert row.events[0].occurred_at == datetime(2013, 10, 27, hour_utc, 30, tzinfo=UTC)


def test_a_header_without_the_mapped_columns_rejects_clearly() -> None:
    adapter = CdrCsvAdapter(MAPPING)
    result = adapter.convert(1, "Id;Start;Slut")
    assert result.rejected is not None
    assert "header lacks the mapping's columns" in result.rejected.reason


def test_a_resumed_adapter_gets_the_header_from_its_state(results: list[Converted]) -> None:
    first = CdrCsvAdapter(MAPPING)
    first.convert(1, SAMPLE.read_text(encoding="utf-8-sig").splitlines()[0])
    resumed = CdrCsvAdapter(MAPPING)
    resumed.restore(first.state())
    row = SAMPLE.read_text(encoding="utf-8-sig").splitlines()[1]
    assert resumed.convert(2, row).events == results[1].events


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ntime_zone = "Mars/Olympus"\n[columns]\ncall_id = "Id"\n')
    with pytest.raises(FormatError, match=r"time_zone.*Mars/Olympus.*columns\.offered_at"):
        resolve(CDR_CSV, bad)
    with pytest.raises(FormatError, match="needs --mapping"):
        resolve(CDR_CSV, None)
