"""`hotline convert`: events on stdout, one JSON error line per bad record, exit 2 if any."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from hotline_cli.main import main
from hotline_providers.cdr_mapping import EXAMPLE
from hotline_schemas import AgentEvent, CallEventV2, parse_call_event

SAMPLES = Path(__file__).parent / "samples"


def run(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[str], list[dict[str, Any]]]:
    status = main(["convert", *argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), [json.loads(line) for line in err.splitlines()]


def test_queue_log_converts_and_reports_each_bad_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--from", "asterisk-queue-log", str(SAMPLES / "queue_log"))
    assert status == 2
    events = [json.loads(line) for line in out]
    calls = [parse_call_event(line) for line, e in zip(out, events, strict=True) if "line" in e]
    agents = [AgentEvent.model_validate(e) for e in events if e.get("schema_version") == 1]
    assert all(isinstance(c, CallEventV2) for c in calls)
    assert len(calls) + len(agents) == len(events) == 58
    errors = [e for e in err if "line" in e]
    assert [(e["line"], e["reason"].split(":")[0]) for e in errors] == [
        (55, "time is not Unix seconds"),
        (56, "expected at least 5 |-separated fields (time|callid|queue|agent|event), got 3"),
    ]
    (summary,) = [e["summary"] for e in err if "summary" in e]
    assert summary["read"] == 87
    assert summary["rejected"] == 2
    assert summary["skipped"] == 5
    assert summary["call_events"] + summary["agent_events"] == 58


def test_clean_input_from_stdin_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (SAMPLES / "queue_log").read_bytes().splitlines(keepends=True)[:20]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"".join(lines))))
    status, out, err = run(capsys, "--from", "asterisk-queue-log", "--origin", "live", "-")
    assert status == 0
    assert out
    assert all(json.loads(line)["origin"] == "live" for line in out)
    assert [list(e) for e in err] == [["summary"]]


def test_cdr_csv_with_the_example_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "cdr-csv", "--mapping", str(EXAMPLE), str(SAMPLES / "cdr_export.csv")
    )
    assert status == 2
    assert len(out) == 25
    assert [e["line"] for e in err if "line" in e] == [10, 11, 12, 13, 14, 15]


def test_connect_ctr(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--from", "connect-ctr", str(SAMPLES / "connect_ctr.jsonl"))
    assert status == 2
    assert [e["line"] for e in err if "line" in e] == [12, 13, 14]
    (summary,) = [e["summary"] for e in err if "summary" in e]
    assert summary["skipped"] == 3


def test_connect_agent_events(capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(SAMPLES / "connect_agent_events.jsonl")
    status, out, err = run(capsys, "--from", "connect-agent-events", sample)
    assert status == 2
    events = [AgentEvent.model_validate_json(line) for line in out]
    assert len(events) == 25
    assert {e.agent_id for e in events} == {"agent-03", "agent-07", "agent-11"}
    assert [(e["line"], e["reason"].split(":")[0]) for e in err if "line" in e] == [
        (38, "not an agent event record"),
        (39, "unknown EventType"),
        (40, "no PreviousAgentSnapshot"),
    ]
    (summary,) = [e["summary"] for e in err if "summary" in e]
    assert summary["read"] == 40
    assert (summary["call_events"], summary["agent_events"]) == (0, 25)
    assert summary["skipped_by_reason"] == {
        "STATE_CHANGE without a status change, missed ring or after-contact work": 9,
        "HEART_BEAT: no change": 2,
        "LOGIN with the status Offline: on shift from the next status": 2,
    }
    assert summary["rejected"] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "cdr-csv", "x.csv"], "needs --mapping"),
        (["--from", "connect-ctr", "--mapping", str(EXAMPLE), "x"], "for cdr-csv only"),
        (["--from", "connect-ctr", "/nonexistent/ctr.jsonl"], "cannot read"),
    ],
)
def test_usage_problems_exit_2_with_one_error_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == []
    assert len(err) == 1
    assert message in err[0]["error"]
