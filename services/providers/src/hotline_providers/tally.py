"""Counts of what a conversion run did, for summaries and metrics (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hotline_providers.model import Converted
from hotline_schemas import AgentEvent


def reason_group(reason: str) -> str:
    """The kind of a rejection, without the record's own values: the text before `:`."""
    return reason.split(":", 1)[0].strip()[:80] or "rejected"


@dataclass
class Tally:
    read: int = 0  # records read
    call_events: int = 0
    agent_events: int = 0
    context: int = 0  # records that only add context (a queue_log INFO|POSTCODE line)
    already: int = 0  # records skipped because a checkpoint says they were imported
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)

    def add(self, result: Converted) -> None:
        self.read += 1
        if result.rejected is not None:
            self.rejected[reason_group(result.rejected.reason)] += 1
        elif result.skipped is not None:
            self.skipped[result.skipped] += 1
        elif not result.events:
            self.context += 1
        for event in result.events:
            if isinstance(event, AgentEvent):
                self.agent_events += 1
            else:
                self.call_events += 1

    @property
    def events(self) -> int:
        return self.call_events + self.agent_events

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "call_events": self.call_events,
            "agent_events": self.agent_events,
            "context_only": self.context,
            "already_imported": self.already,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(self.skipped.most_common()),
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(self.rejected.most_common()),
        }

    def restore(self, saved: dict[str, Any]) -> None:
        self.read = int(saved.get("read", 0))
        self.call_events = int(saved.get("call_events", 0))
        self.agent_events = int(saved.get("agent_events", 0))
        self.context = int(saved.get("context_only", 0))
        self.skipped = Counter(saved.get("skipped_by_reason", {}))
        self.rejected = Counter(saved.get("rejected_by_reason", {}))
