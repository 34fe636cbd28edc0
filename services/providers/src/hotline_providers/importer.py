"""`hotline import`'s loop: provider files -> adapter -> Kafka, with a checkpoint to resume.

Per record: convert; send its events (call events to the raw topic keyed by call_id, agent
events to the agent topic keyed by agent_id) or, if rejected, a dead letter with the original
text; every `checkpoint_every_records` records or `checkpoint_every_s` seconds, and at the
end of each file, wait for Kafka's acknowledgements and then save the checkpoint (offsets,
the adapter's state, the counts). A killed import started again with the same files resumes
after the last checkpoint; what it sends twice has the same event ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hotline_providers import checkpoint, dead_letters, reading
from hotline_providers.formats import CDR_CSV, QUEUE_LOG, Format
from hotline_providers.model import Adapter
from hotline_providers.producing import EventProducer
from hotline_providers.progress import Progress
from hotline_providers.tally import Tally
from hotline_schemas.privacy import KeyRing

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass
class Outcome:
    run: Tally  # this run: what was read and sent now, and what the checkpoint let it skip
    total: Tally  # the whole import so far, over every run with this checkpoint
    dead_letters: int = 0
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    resumed: bool = False


@dataclass(frozen=True)
class Cadence:
    every_records: int = 20_000
    every_s: float = 5.0


def lines_after(path: Path, offset: int) -> int:
    """Line breaks after `offset`: the records still to read, near enough for an ETA."""
    count = 0
    with path.open("rb") as f:
        f.seek(offset)
        while chunk := f.read(_CHUNK):
            count += chunk.count(b"\n")
    return count


def first_time(path: Path) -> float | None:
    """A queue_log file's first timestamp (rotated files are put in time order by it)."""
    with path.open("rb") as f:
        for raw in f:
            head = raw.split(b"|", 1)[0].strip()
            try:
                return float(head)
            except ValueError:
                continue
    return None


def ordered(fmt: Format, files: Sequence[Path]) -> list[Path]:
    """queue_log files oldest first whatever their names (`queue_log.2 queue_log.1
    queue_log` under Asterisk's rotate strategy, the reverse under sequential); other
    formats in the order given (each record stands alone)."""
    if fmt.name != QUEUE_LOG:
        return list(files)
    keyed = [(first_time(p), n, p) for n, p in enumerate(files)]
    return [p for t, n, p in sorted(keyed, key=lambda k: (k[0] is None, k[0] or 0.0, k[1]))]


class Importer:
    def __init__(
        self,
        fmt: Format,
        adapter: Adapter,
        producer: EventProducer,
        checkpoint_path: Path,
        cadence: Cadence,
        *,
        keys: KeyRing | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.fmt, self.adapter, self.producer = fmt, adapter, producer
        self.path, self.cadence, self.keys = checkpoint_path, cadence, keys
        self.clock, self.now = clock, now
        self.state = checkpoint.Checkpoint(fmt.name)
        self.outcome: Outcome | None = None

    def run(
        self,
        files: Sequence[Path],
        *,
        restart: bool,
        progress: Callable[[int, int], Progress],
    ) -> Outcome:
        started = self.clock()
        saved = None if restart else checkpoint.load(self.path, self.fmt.name)
        outcome = Outcome(run=Tally(), total=Tally(), files=list(files), resumed=saved is not None)
        self.outcome = outcome
        if saved is not None:
            self.state = saved
            self.adapter.restore(saved.adapter)
            outcome.total.restore(saved.tally)
        todo = {}
        for path in files:
            done = self.state.progress(path)
            if not checkpoint.same_file(done, path):
                log.warning("%s is not the file the checkpoint describes: reading it whole", path)
                done.offset, done.line, done.records, done.head_len = 0, 1, 0, 0
            todo[path] = done
        total = sum(lines_after(p, d.offset) for p, d in todo.items())
        already = sum(d.records for d in todo.values())
        outcome.run.already = already
        bar = progress(total + already, already)
        try:
            for path, done in todo.items():
                self._file(path, done, outcome, bar)
        finally:
            bar.close()
            outcome.seconds = self.clock() - started
        return outcome

    def _file(
        self, path: Path, done: checkpoint.FileProgress, outcome: Outcome, bar: Progress
    ) -> None:
        if done.offset == 0:
            done.head_len = min(path.stat().st_size, checkpoint.HEAD_BYTES)
            done.head = checkpoint.fingerprint(path, done.head_len)
        since, last = 0, self.clock()
        with path.open("rb") as f:
            f.seek(done.offset)
            for record in reading.records(
                f, self.fmt.framing, start=done.offset, first_line=done.line
            ):
                self._record(record, outcome)
                done.offset = record.end
                done.line = record.line + record.text.count("\n") + 1
                done.records += 1
                since += 1
                bar.update(1)
                due = self.clock() - last >= self.cadence.every_s
                if since >= self.cadence.every_records or due:
                    self.save(outcome)
                    since, last = 0, self.clock()
        self.save(outcome)

    def _record(self, record: reading.RawRecord, outcome: Outcome) -> None:
        result = self.adapter.convert(record.line, record.text)
        outcome.run.add(result)
        outcome.total.add(result)
        if self.fmt.name == CDR_CSV and result.skipped == "header":
            self.state.header = record.text
        if result.rejected is not None:
            letter = dead_letters.import_letter(
                result,
                source_format=self.fmt.name,
                rejected_at=self.now(),
                keys=self.keys,
                header=self.state.header if self.fmt.name == CDR_CSV else None,
            )
            self.producer.send_dead_letter(letter)
            outcome.dead_letters += 1
        for event in result.events:
            self.producer.send(event)

    def interrupted(self) -> None:
        """Stopped by a signal: keep what was sent (acknowledged first)."""
        if self.outcome is not None:
            self.save(self.outcome)

    def save(self, outcome: Outcome) -> None:
        """Everything sent is acknowledged, then the checkpoint says so."""
        self.producer.flush()
        self.state.adapter = self.adapter.state()
        self.state.tally = outcome.total.as_dict()
        checkpoint.save(self.path, self.state)
