"""Resident memory of the service processes, sampled from /proc while the benchmark runs."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path


def _status_kib(pid: int, key: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # Fields after the command name (which may hold spaces); utime and stime are 14 and 15.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@dataclass
class Memory:
    """Highest VmRSS seen by sampling, and the kernel's own peak (VmHWM), in MiB."""

    max_rss_mib: float = 0.0
    peak_hwm_mib: float = 0.0
    samples: int = 0


@dataclass
class RssSampler:
    """Samples each named process tree every `interval_s` on a daemon thread."""

    pids: dict[str, int]
    interval_s: float = 0.5
    memory: dict[str, Memory] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        for name, pid in self.pids.items():
            tree = [pid, *_descendants(pid)]
            rss = sum(_status_kib(p, "VmRSS") for p in tree) / 1024
            hwm = sum(_status_kib(p, "VmHWM") for p in tree) / 1024
            mem = self.memory.setdefault(name, Memory())
            mem.max_rss_mib = max(mem.max_rss_mib, rss)
            mem.peak_hwm_mib = max(mem.peak_hwm_mib, hwm)
            mem.samples += 1

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each process tree has used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        return {
            name: sum(_cpu_ticks(p) for p in [pid, *_descendants(pid)]) / tick
            for name, pid in self.pids.items()
        }

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def start(self) -> None:
        self.sample()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sample()
