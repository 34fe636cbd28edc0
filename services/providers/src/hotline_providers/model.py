"""What an adapter makes of one provider record, and what every adapter offers (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError

from hotline_schemas import AgentEvent, CallEventV2
from hotline_schemas.validation import error_items
from hotline_schemas.validation import reason as validation_reason

Event = CallEventV2 | AgentEvent
E = TypeVar("E", CallEventV2, AgentEvent)


@dataclass(frozen=True)
class Rejection:
    """Why a record could not be converted: one line for people, items for tools."""

    reason: str
    errors: list[dict[str, str]] = field(default_factory=list)


class RecordError(Exception):
    """Raised inside an adapter for a bad record; becomes a `Rejection`."""

    def __init__(self, reason: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(reason)
        self.rejection = Rejection(reason, errors or [])


@dataclass(frozen=True)
class Converted:
    """One provider record's result. Exactly one of three things happened:

    - `rejected`: the record is malformed (reported with its line number, dead-lettered);
    - `skipped`: the record is well-formed but not about a call or an agent's state (a
      QUEUESTART line, a chat contact): counted by reason, not an error;
    - otherwise `events` (possibly none: a queue_log INFO|POSTCODE line only adds context to
      the call's later events).
    """

    line: int  # the record's first line number in its file, from 1
    raw: str  # the record as read, for dead letters and error reports
    events: tuple[Event, ...] = ()
    skipped: str | None = None
    rejected: Rejection | None = None


class Adapter(Protocol):
    """One provider format. Stateful where the format is (queue_log spreads a call over many
    lines; a CSV file has a header): `state()` is JSON-able and `restore()` takes it back, so
    an import or a follower can resume in the middle of a file."""

    source: str

    def convert(self, line: int, raw: str) -> Converted: ...

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


def build(model: Callable[..., E], **fields: Any) -> E:
    """A contract model, or RecordError naming the field that does not fit the contract."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise RecordError(f"not a valid event: {validation_reason(exc)}", error_items(exc)) from exc


def guarded(line: int, raw: str, convert: Callable[[], Converted]) -> Converted:
    """Run one record's conversion; a RecordError becomes the record's rejection."""
    try:
        return convert()
    except RecordError as exc:
        return Converted(line, raw, rejected=exc.rejection)
