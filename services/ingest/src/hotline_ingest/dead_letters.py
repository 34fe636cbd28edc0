"""Rejected items as `DeadLetter` records: pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline_ingest.parsing import Rejection
from hotline_schemas import DeadLetter
from hotline_schemas.privacy import KeyRing, make_dead_letter


@dataclass(frozen=True)
class KeyedDeadLetter:
    key: str | None  # the item's key (call_id, agent_id) if usable: its rejects stay together
    record: DeadLetter


def to_dead_letter(
    rejection: Rejection, rejected_at: datetime, max_bytes: int, keys: KeyRing | None
) -> KeyedDeadLetter:
    record = make_dead_letter(
        stage="ingest",
        reason=rejection.reason,
        errors=rejection.errors,
        payload=rejection.payload,
        keys=keys,
        rejected_at=rejected_at,
        max_payload_bytes=max_bytes,
    )
    return KeyedDeadLetter(key=rejection.key, record=record)
