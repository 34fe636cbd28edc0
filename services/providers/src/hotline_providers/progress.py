"""Progress of an import: a tqdm bar on a terminal (records/s, ETA), plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO, Protocol

from tqdm import tqdm


class Progress(Protocol):
    def update(self, records: int) -> None: ...

    def close(self) -> None: ...


class _Bar:
    def __init__(self, total: int, initial: int, stream: IO[str]) -> None:
        self._bar = tqdm(
            total=total,
            initial=initial,
            unit=" rec",
            unit_scale=True,
            smoothing=0.1,
            file=stream,
            desc="import",
        )

    def update(self, records: int) -> None:
        self._bar.update(records)

    def close(self) -> None:
        self._bar.close()


class _Lines:
    """One line every `every_s` seconds: no control characters in logs and CI output."""

    def __init__(self, total: int, initial: int, stream: IO[str], every_s: float = 5.0) -> None:
        self._total, self._done, self._stream, self._every = total, initial, stream, every_s
        self._started = self._last = time.monotonic()
        self._start_done = initial

    def update(self, records: int) -> None:
        self._done += records
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            self._write(now)

    def _write(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = (self._done - self._start_done) / elapsed
        left = max(self._total - self._done, 0)
        eta = f"{left / rate:.0f} s" if rate > 0 else "?"
        share = 100 * self._done / self._total if self._total else 100.0
        self._stream.write(
            f"import: {self._done:,} of ~{self._total:,} records ({share:.0f} %), "
            f"{rate:,.0f} records/s, ETA {eta}\n"
        )
        self._stream.flush()

    def close(self) -> None:
        self._write(time.monotonic())


def progress(total: int, initial: int = 0, stream: IO[str] | None = None) -> Progress:
    out = stream or sys.stderr
    if out.isatty():
        return _Bar(total, initial, out)
    return _Lines(total, initial, out)
