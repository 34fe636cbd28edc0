"""Rejected items as `DeadLetter` records: pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline_ingest.parsing import Rejection
from hotline_schemas import DeadLetter


@dataclass(frozen=True)
class KeyedDeadLetter:
    key: str | None  # the item's key (call_id, agent_id) if usable: its rejects stay together
    record: DeadLetter


def to_dead_letter(rejection: Rejection, rejected_at: datetime, max_chars: int) -> KeyedDeadLetter:
    payload = rejection.payload
    reason = rejection.reason
    if len(payload) > max_chars:
        # The broker refuses records over ~1 MB; cut the copy and say so rather than lose it.
        cut = len(payload) - max_chars
        payload = payload[:max_chars]
        reason = f"{reason} (payload truncated: {cut} of {len(rejection.payload)} chars cut)"
    record = DeadLetter(
        stage="ingest",
        reason=reason,
        errors=rejection.errors,
        payload=payload,
        rejected_at=rejected_at,
    )
    return KeyedDeadLetter(key=rejection.key, record=record)
