"""An import's checkpoint: how far each file was read, the adapter's state at that point,
and the counts so far, in one JSON file replaced atomically (write, fsync, rename).

It is written only after Kafka acknowledged everything before it, so after a crash (even
kill -9) the import resumes on the next record: at most what was sent after the last
checkpoint is sent twice, with the same event ids, which storage deduplicates.

A file is recognised by its path and a fingerprint of its first bytes: a file that grew since
(a live queue_log) is resumed where it stopped; a different file at the same path (rotated
meanwhile) is read from the start.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

VERSION = 1
HEAD_BYTES = 4096


@dataclass
class FileProgress:
    path: str
    head_len: int = 0
    head: str = ""
    offset: int = 0  # bytes read and acknowledged
    line: int = 1  # the line number at `offset`
    records: int = 0  # records read and acknowledged


@dataclass
class Checkpoint:
    format: str
    files: list[FileProgress] = field(default_factory=list)
    adapter: dict[str, Any] = field(default_factory=dict)
    tally: dict[str, Any] = field(default_factory=dict)
    header: str | None = None  # cdr-csv: the header line, for dead letters after a resume

    def progress(self, path: Path) -> FileProgress:
        key = str(path)
        for progress in self.files:
            if progress.path == key:
                return progress
        progress = FileProgress(key)
        self.files.append(progress)
        return progress


def fingerprint(path: Path, length: int) -> str:
    with path.open("rb") as f:
        return hashlib.sha256(f.read(length)).hexdigest()


def same_file(progress: FileProgress, path: Path) -> bool:
    """The file at `path` is the one `progress` describes (it may have grown)."""
    if progress.offset == 0:
        return True
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size >= progress.offset and fingerprint(path, progress.head_len) == progress.head


def default_path(directory: Path, fmt: str, files: list[Path]) -> Path:
    key = "\n".join([fmt, *(str(p) for p in files)])
    return directory / f"import-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def load(path: Path, fmt: str) -> Checkpoint | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if data.get("version") != VERSION or data.get("format") != fmt:
        return None
    return Checkpoint(
        format=fmt,
        files=[FileProgress(**f) for f in data.get("files", [])],
        adapter=data.get("adapter", {}),
        tally=data.get("tally", {}),
        header=data.get("header"),
    )


def save(path: Path, checkpoint: Checkpoint) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION, **asdict(checkpoint)}
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
