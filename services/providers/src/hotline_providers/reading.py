"""Provider files as records with line numbers and byte offsets (the only I/O adapters see).

A record is one line (queue_log, contact records) or one CSV row, which may span lines inside
a quoted field. `end` is the byte offset just after the record: an import's checkpoint and a
follower's saved position are such offsets, so a resumed run starts on a record boundary.
Bytes that are not valid in the encoding are replaced (U+FFFD), never fatal: the record is
then converted or rejected on its own, and the rest of the file still goes through.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

_BOM = "\ufeff"


@dataclass(frozen=True)
class RawRecord:
    line: int  # first line of the record, from 1
    text: str  # without the line break(s) that end it
    end: int  # byte offset just after the record


@dataclass(frozen=True)
class Framing:
    """How a format's records are laid out in its files."""

    encoding: str = "utf-8"
    quoted_newlines: bool = False  # CSV: a line break inside quotes continues the record
    quotechar: str = '"'


def records(
    stream: BinaryIO | Iterable[bytes],
    framing: Framing = Framing(),
    *,
    start: int = 0,
    first_line: int = 1,
) -> Iterator[RawRecord]:
    """Records of `stream`, which is already positioned at byte `start` (line `first_line`).
    Blank lines are not records (their numbers still count)."""
    offset, line = start, first_line - 1
    pending: list[str] = []
    pending_line = 0
    for chunk in stream:
        offset += len(chunk)
        line += 1
        text = chunk.decode(framing.encoding, errors="replace").rstrip("\r\n")
        if line == 1:
            text = text.removeprefix(_BOM)
        if framing.quoted_newlines:
            if not pending:
                pending_line = line
            pending.append(text)
            joined = "\n".join(pending)
            if joined.count(framing.quotechar) % 2:
                continue  # inside a quoted field: the row goes on
            pending = []
            text, record_line = joined, pending_line
        else:
            record_line = line
        if text.strip():
            yield RawRecord(record_line, text, offset)
    if pending:  # a quote never closed: hand it over as it is, the adapter rejects it
        yield RawRecord(pending_line, "\n".join(pending), offset)
