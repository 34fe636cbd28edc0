"""`hotline enrich-event`: JSON lines in, enriched lines out, one error line per rejected line."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from hotline_enrich.enrich_lines import run
from hotline_enrich.enrichment import EnrichmentContext
from hotline_schemas import EnrichedEvent, paths
from hotline_schemas.hours import OpeningSchedule
from hotline_schemas.reference_data import PostcodeTable
from hotline_schemas.taxonomy import load_taxonomy

CTX = EnrichmentContext(
    postcodes=PostcodeTable.load(),
    schedule=OpeningSchedule(),
    taxonomy=load_taxonomy(None),
    secret=b"test-secret-for-lines",
)
NOW = datetime(2013, 4, 1, 12, 0, tzinfo=UTC)
NUMBER = "+4586123456"


def line(name: str) -> str:
    doc = json.loads((paths.EXAMPLES_DIR / "call-event/valid" / name).read_text(encoding="utf-8"))
    return json.dumps(doc)


def invoke(text: str) -> tuple[int, list[str], list[str]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(io.StringIO(text), stdout, stderr, CTX, lambda: NOW)
    return status, stdout.getvalue().splitlines(), stderr.getvalue().splitlines()


def test_all_valid_lines_exit_zero() -> None:
    status, out, err = invoke(line("offered-aarhus.json") + "\n" + line("answered.json") + "\n")
    assert status == 0
    assert err == []
    events = [EnrichedEvent.model_validate_json(o) for o in out]
    assert [e.event_id for e in events] == ["evt-0001", "evt-0003"]


def test_mixed_lines_reject_the_bad_ones_and_keep_going() -> None:
    missing_call_id = json.loads(line("offered-aarhus.json"))
    del missing_call_id["call_id"]
    text = "\n".join(
        [
            line("offered-aarhus.json"),  # 1
            "",  # 2: blank, ignored
            "{not json",  # 3
            json.dumps(missing_call_id),  # 4
            "   ",  # 5: blank, ignored
            line("ended-with-wrap-up.json"),  # 6
        ]
    )
    status, out, err = invoke(text)
    assert status == 2
    assert [EnrichedEvent.model_validate_json(o).event_id for o in out] == ["evt-0001", "evt-0004"]
    errors = [json.loads(e) for e in err]
    assert [e["line"] for e in errors] == [3, 4]
    assert errors[0]["error"].startswith("invalid JSON")
    assert errors[1]["errors"][0]["field"] == "call_id"
    assert "call_id" in errors[1]["error"]
    assert all(NUMBER not in o and "86123456" not in o for o in out)


def test_empty_input_is_fine() -> None:
    assert invoke("") == (0, [], [])
