"""`hotline simulate --format`: an evening as the PBX's queue_log, as Amazon Connect contact
records, or as event NDJSON (calls, agents), instead of posting."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hotline_schemas import AgentEvent, CallEvent
from hotline_simulator import __main__ as simulator_main
from hotline_simulator import connect_ctr_file, queue_log_file
from hotline_simulator.model import SimulationConfig, evening_rng, simulate

SUNDAY = date(2013, 3, 31)
SIM = simulate(SUNDAY, SimulationConfig(), evening_rng(5, SUNDAY))
ARGS = ["--seed", "5", "--date", "2013-03-31"]


def test_queue_log_lines_are_in_time_order_and_every_call_starts_with_its_did() -> None:
    written = queue_log_file.render(SIM.calls, SIM.agents)
    fields = [line.split("|") for line in written.lines]
    assert all(len(f) >= 5 for f in fields)
    times = [int(f[0]) for f in fields]
    assert times == sorted(times)
    first_verb: dict[str, str] = {}
    for f in fields:
        if f[1] not in {"NONE", "MANAGER"}:
            first_verb.setdefault(f[1], f[4])
    assert set(first_verb) == set(written.uniqueids.values())
    assert set(first_verb.values()) == {"DID"}
    assert len({c.call_id for c in SIM.calls}) == len(written.uniqueids)
    verbs = {f[4] for f in fields}
    assert {"ENTERQUEUE", "CONNECT", "ABANDON", "ADDMEMBER", "REMOVEMEMBER", "PAUSE"} <= verbs


def test_contact_records_are_one_inbound_voice_record_per_call() -> None:
    records = [json.loads(line) for line in connect_ctr_file.render(SIM.calls, SIM.agents)]
    assert sorted(r["ContactId"] for r in records) == sorted({c.call_id for c in SIM.calls})
    assert {(r["Channel"], r["InitiationMethod"]) for r in records} == {("VOICE", "INBOUND")}
    assert all(r["InitiationTimestamp"].endswith("Z") for r in records)
    answered = [r for r in records if r["Agent"] is not None]
    assert answered
    assert all(r["Agent"]["AfterContactWorkEndTimestamp"] for r in answered)


@pytest.mark.parametrize("fmt", ["events", "agent-events", "asterisk-queue-log", "connect-ctr"])
def test_format_writes_the_file_instead_of_posting(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "evening"
    assert simulator_main.main([*ARGS, "--format", fmt, "--output", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    if fmt == "events":
        assert [CallEvent.model_validate_json(line) for line in lines] == SIM.calls
    elif fmt == "agent-events":
        assert [AgentEvent.model_validate_json(line) for line in lines] == SIM.agents
    elif fmt == "asterisk-queue-log":
        assert lines == queue_log_file.render(SIM.calls, SIM.agents).lines
    else:
        assert lines == connect_ctr_file.render(SIM.calls, SIM.agents)


def test_format_with_live_is_an_option_error(caplog: pytest.LogCaptureFixture) -> None:
    assert simulator_main.main([*ARGS, "--live", "--format", "connect-ctr"]) == 2
    assert "--format" in caplog.text
