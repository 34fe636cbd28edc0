"""(f) History import: a queue_log of N lines (1,000,000 by default) through `hotline import`'s
own code to the raw topics (lines/s), then until every call is a queryable call record.

The file is simulated evenings rendered as Asterisk's queue_log (the simulator's writer), one
simulated fortnight copied week by week with its times and call ids shifted: generating a
million lines takes seconds, not the minutes simulating every evening would. The records
phase is bounded (`timeout_s`); when it ends first, the figure is the share reached and a
projection, marked as such.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.settings import Settings
from benchmarks.stack import Stack
from hotline_providers.formats import QUEUE_LOG, resolve
from hotline_providers.importer import Cadence, Importer
from hotline_providers.producing import EventProducer
from hotline_providers.progress import progress
from hotline_providers.settings import ProviderSettings, Targets
from hotline_schemas import AgentEvent, CallEvent, Origin
from hotline_simulator import queue_log_file
from hotline_simulator.model import SimulationConfig, evening_rng, simulate

log = logging.getLogger(__name__)

_FIRST = date(2013, 1, 6)  # a Sunday of the pilot
_WEEK_S = 7 * 86400


@dataclass(frozen=True)
class Generated:
    path: Path
    lines: int
    calls: int
    seconds: float


def generate(path: Path, lines: int, seed: int = 1) -> Generated:
    """`lines` queue_log lines: two simulated weeks, repeated with shifted times and ids."""
    start = time.monotonic()
    calls: list[CallEvent] = []
    agents: list[AgentEvent] = []
    for n in range(14):
        day = _FIRST + timedelta(days=n)
        sim = simulate(day, SimulationConfig(), evening_rng(seed, day))
        calls += sim.calls
        agents += sim.agents
    block = queue_log_file.render(calls, agents)
    per_block = len({c.call_id for c in calls})
    written = copies = 0
    with path.open("w", encoding="utf-8") as f:
        while written < lines:
            shift = 2 * _WEEK_S * copies
            for line in block.lines:
                ts, callid, rest = line.split("|", 2)
                if "." in callid:  # a caller's uniqueid: epoch.sequence
                    epoch, _, seq = callid.partition(".")
                    callid = f"{int(epoch) + shift}.{seq}"
                f.write(f"{int(ts) + shift}|{callid}|{rest}\n")
                written += 1
                if written >= lines:
                    break
            copies += 1
    # In the copy cut off at the end, the calls whose end (the h extension's line) was written.
    full, partial = divmod(written, len(block.lines))
    return Generated(
        path, written, full * per_block + _ended(block.lines[:partial]), time.monotonic() - start
    )


def _ended(lines: list[str]) -> int:
    return len({line.split("|", 2)[1] for line in lines if "|INFO|HANGUP" in line})


def run_in_own_stack(settings: Settings, lines: int, timeout_s: float) -> dict[str, Any]:
    """The figure on a stack of its own whose sink also stores call records."""
    stack = Stack(settings, records_and_agents=True)
    try:
        stack.start()
        return run(stack, lines, timeout_s)
    finally:
        stack.close()


def run(stack: Stack, lines: int, timeout_s: float) -> dict[str, Any]:
    work = Path(stack._tmp.name)
    generated = generate(work / "queue_log", lines)
    log.info(
        "generated %d queue_log lines (%d calls) in %.1f s",
        generated.lines,
        generated.calls,
        generated.seconds,
    )
    fmt = resolve(QUEUE_LOG, None)
    targets = Targets(
        raw_topic=stack.raw, agent_topic=stack.agents, dead_letter_topic=stack.raw_dlq
    )
    producer = EventProducer.connect(
        stack.settings.kafka.bootstrap_servers, targets, "bench-import"
    )
    importer = Importer(
        fmt,
        fmt.adapter(ProviderSettings(), Origin.IMPORT),
        producer,
        work / "checkpoint.json",
        Cadence(),
    )
    start = time.monotonic()
    try:
        outcome = importer.run([generated.path], restart=True, progress=progress)
    finally:
        producer.close()
    imported = time.monotonic() - start
    client = stack.clickhouse()
    records = 0
    try:
        deadline = start + imported + timeout_s
        while True:
            stack.check_alive()
            query = f"SELECT uniqExact(call_id) FROM {stack.database}.call_records"  # noqa: S608 - ours
            records = int(client.execute(query)[0][0])
            if records >= generated.calls or time.monotonic() > deadline:
                break
            time.sleep(2.0)
    finally:
        client.disconnect()
    elapsed = time.monotonic() - start
    complete = records >= generated.calls
    share = records / generated.calls if generated.calls else 0.0
    return {
        "lines": generated.lines,
        "calls": generated.calls,
        "generate_seconds": generated.seconds,
        "import_seconds": imported,
        "lines_per_s": generated.lines / imported if imported > 0 else None,
        "events_produced": outcome.run.events,
        "records": records,
        "records_complete": complete,
        "records_seconds": elapsed if complete else None,
        "records_share": share,
        "records_seconds_projected": None if complete or share == 0 else elapsed / share,
        "records_timeout_s": timeout_s,
    }
