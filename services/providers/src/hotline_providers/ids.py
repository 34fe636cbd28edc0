"""Deterministic event ids: the same provider record always gives the same id (pure).

The id is the idempotency key end to end (ClickHouse keeps one row per event_id, enrich counts
an event once per id), so re-reading a file, resuming an import, importing a rotated copy of a
file that was followed live, or replaying a dead letter must reproduce it exactly. It is built
only from what the record itself says, never from where it was read:

    <source>:<subject>:<kind>[:<digest>]

- `source`: the format (`asterisk-queue-log`, `connect-ctr`, `cdr-csv`);
- `subject`: the provider's own id of the call (or agent), so an operator can read the id;
- `kind`: the event type made from the record (one record may give several events);
- `digest`: for line-oriented logs, a hash of the whole line: two different lines about the
  same call and kind (a queue_log call that rang twice) stay apart, while the same line read
  again, from another file name or byte offset, gives the same id.
"""

from __future__ import annotations

import hashlib

_MAX_SUBJECT = 60


def digest(text: str) -> str:
    """A 24-hex-digit hash of a record's text (trailing line breaks ignored)."""
    return hashlib.blake2b(text.rstrip("\r\n").encode("utf-8"), digest_size=12).hexdigest()


def subject(value: str) -> str:
    """A provider id short enough for the contract's 128-character identifiers."""
    value = value.strip()
    if len(value) <= _MAX_SUBJECT:
        return value
    return value[: _MAX_SUBJECT - 25] + "~" + digest(value)


def event_id(source: str, of: str, kind: str, line_digest: str | None = None) -> str:
    parts = [source, subject(of), kind]
    if line_digest is not None:
        parts.append(line_digest)
    return ":".join(parts)


def call_id(prefix: str, provider_id: str) -> str:
    """The pipeline's call id: the provider's own id, prefixed with the source."""
    return f"{prefix}:{subject(provider_id)}"
