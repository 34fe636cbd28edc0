"""Follow a growing log file like `tail -F`: complete lines only, across rotation, resumable.

- Only complete lines are returned; a line being written (no line break yet) waits.
- Rotation by rename (Asterisk's own `logger rotate`, logrotate's default): the path then
  names a new file. The old one (still open here) is read to its end first, then the new one
  from its start. Rotation by copy-and-truncate: the file shrinks below the position; reading
  starts again at 0 (what was written between the copy and the truncation is lost: that is
  copytruncate's own risk, prefer rename).
- A position (file identity, byte offset, line number, a fingerprint of the file's first
  bytes) can be saved and given back after a restart. If the file was rotated meanwhile, the
  rotated file (`<name>.*` beside it: same inode, or same first bytes) is read from the saved
  offset first, so nothing written while the follower was down is skipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hotline_providers.reading import RawRecord

log = logging.getLogger(__name__)

HEAD_BYTES = 1024
_READ = 1 << 20


@dataclass(frozen=True)
class Position:
    path: str  # the file read at that position (the followed path, or a rotated name)
    device: int
    inode: int
    offset: int
    line: int  # line number at `offset`
    head_len: int
    head: str


def _head(f: BinaryIO, length: int) -> str:
    at = f.tell()
    f.seek(0)
    data = f.read(length)
    f.seek(at)
    return hashlib.sha256(data).hexdigest()


def _matches(path: Path, position: Position) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size < position.offset:
        return False
    if (stat.st_dev, stat.st_ino) == (position.device, position.inode):
        return True
    with path.open("rb") as f:
        return _head(f, position.head_len) == position.head


class Tailer:
    def __init__(
        self, path: Path, position: Position | None = None, *, from_start: bool = False
    ) -> None:
        self.path = path
        self._f: BinaryIO | None = None
        self._identity: tuple[int, int] = (0, 0)
        self._offset = 0
        self._line = 1
        self._buffer = b""
        self._head_len = 0
        self._head = ""
        self._queue: list[Path] = []  # rotated files still to finish before `path`
        self.rotations = 0
        self._start(position, from_start)

    # -- opening ----------------------------------------------------------------------------

    def _start(self, position: Position | None, from_start: bool) -> None:
        if position is None:
            if self._open(self.path) and not from_start:
                assert self._f is not None
                self._line += self._f.read().count(b"\n")  # tail: start at the end
                self._offset = self._f.tell()
            return
        if _matches(self.path, position):
            self._open(self.path, position)
            return
        rotated = self._find_rotated(position)
        if rotated is not None:
            log.info("%s was rotated while stopped: finishing %s first", self.path, rotated)
            self._open(rotated, position)
            self._queue = [self.path]
            return
        log.warning(
            "%s: the saved position's file is gone (rotated and removed or compressed?); "
            "reading the current file from its start",
            self.path,
        )
        self._open(self.path)

    def _find_rotated(self, position: Position) -> Path | None:
        candidates = sorted(self.path.parent.glob(self.path.name + ".*"))
        for candidate in candidates:
            if candidate.suffix in {".gz", ".bz2", ".xz", ".zst"}:
                continue
            if _matches(candidate, position):
                return candidate
        return None

    def _open(self, path: Path, position: Position | None = None) -> bool:
        try:
            f = path.open("rb")
        except FileNotFoundError:
            return False
        stat = os.fstat(f.fileno())
        if self._f is not None:
            self._f.close()
        self._f = f
        self._identity = (stat.st_dev, stat.st_ino)
        self._buffer = b""
        if position is not None:
            self._offset, self._line = position.offset, position.line
            self._head_len, self._head = position.head_len, position.head
            f.seek(self._offset)
        else:
            self._offset, self._line = 0, 1
            self._head_len = min(HEAD_BYTES, stat.st_size)
            self._head = _head(f, self._head_len)
        return True

    # -- reading ----------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._f is not None

    def backlog_bytes(self) -> int:
        """Bytes in the followed file not yet returned (0 when it cannot be seen)."""
        try:
            stat = self.path.stat()
        except OSError:
            return 0
        if self._queue or (stat.st_dev, stat.st_ino) != self._identity:
            return stat.st_size
        return max(stat.st_size - self._offset, 0)

    def poll(self) -> list[RawRecord]:
        """The complete lines written since the last poll (across a rotation)."""
        if self._f is None and not self._open(self.path):
            return []
        out = self._read_available()
        rotated_to = self._rotated_to()
        if rotated_to is not None:
            out += self._read_available()  # the old file's last lines, written before
            if self._buffer:
                log.warning("%s ended without a line break; the unfinished line is kept", self.path)
                out.append(self._record(self._buffer))
                self._buffer = b""
            self.rotations += 1
            self._open(rotated_to)
            out += self._read_available()
        return out

    def _rotated_to(self) -> Path | None:
        """The file to read next if the current one will not grow any more."""
        if self._queue:
            return self._queue.pop(0)
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None  # renamed, the new one not created yet: keep reading the old one
        if (stat.st_dev, stat.st_ino) != self._identity:
            return self.path
        if stat.st_size < self._offset:  # copy-and-truncate
            log.warning("%s shrank below the position: truncated, read from its start", self.path)
            return self.path
        return None

    def _read_available(self) -> list[RawRecord]:
        assert self._f is not None
        out: list[RawRecord] = []
        while chunk := self._f.read(_READ):
            data = self._buffer + chunk
            *lines, self._buffer = data.split(b"\n")
            for raw in lines:
                out.append(self._record(raw + b"\n"))
        return out

    def _record(self, raw: bytes) -> RawRecord:
        if self._head_len == 0 and self._offset == 0:  # the file was empty when opened
            self._head_len = min(HEAD_BYTES, len(raw))
            self._head = hashlib.sha256(raw[: self._head_len]).hexdigest()
        self._offset += len(raw)
        line = self._line
        self._line += 1
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        return RawRecord(line, text, self._offset)

    def position(self) -> Position:
        """Where the next line starts: save it only once what came before is safe."""
        return Position(
            path=self._current_name(),
            device=self._identity[0],
            inode=self._identity[1],
            offset=self._offset,
            line=self._line,
            head_len=self._head_len,
            head=self._head,
        )

    def _current_name(self) -> str:
        name = getattr(self._f, "name", None)
        return name if isinstance(name, str) else str(self.path)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
