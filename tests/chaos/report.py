"""The suite's table, one row per fault: printed at the end of the run and written to
artifacts/chaos/summary.md and summary.json (the conftest's terminal summary hook)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chaos.stack import ROOT

ARTIFACTS = ROOT / "artifacts" / "chaos"


@dataclass
class Row:
    fault: str
    accepted: int = 0
    lost: int = 0
    duplicated: int = 0
    records_expected: int = 0
    records_missing: int = 0
    seconds: float = 0.0
    passed: bool = False
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class Run:
    started: float = field(default_factory=time.time)
    rows: list[Row] = field(default_factory=list)
    setup_seconds: float = 0.0


RUN = Run()


def _n(value: int) -> str:
    return f"{value:,}"


def markdown(run: Run) -> str:
    lines = [
        "| fault | accepted | lost | duplicated | records missing | result | notes |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in run.rows:
        result = "pass" if row.passed else "**FAIL**: " + "; ".join(row.failures)
        lines.append(
            f"| {row.fault} | {_n(row.accepted)} | {_n(row.lost)} | {_n(row.duplicated)} | "
            f"{_n(row.records_missing)} of {_n(row.records_expected)} | {result} | "
            f"{'; '.join(row.notes)} |"
        )
    total = time.time() - run.started
    lines.append("")
    lines.append(
        f"{len(run.rows)} fault(s), {sum(r.accepted for r in run.rows):,} events acknowledged; "
        f"private stack up in {run.setup_seconds:.0f} s; whole run {total / 60:.1f} min."
    )
    return "\n".join(lines) + "\n"


def write(run: Run, directory: Path = ARTIFACTS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md = directory / "summary.md"
    md.write_text("# Fault suite (`make chaos`)\n\n" + markdown(run), encoding="utf-8")
    data = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(run.started)),
        "seconds": round(time.time() - run.started, 1),
        "setup_seconds": round(run.setup_seconds, 1),
        "rows": [asdict(r) for r in run.rows],
    }
    js = directory / "summary.json"
    js.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return [md, js]
