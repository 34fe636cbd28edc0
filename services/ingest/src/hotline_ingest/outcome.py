"""What one request is answered with: status, JSON body, extra headers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)
