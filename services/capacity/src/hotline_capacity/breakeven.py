"""When the hotline pays for itself: the break-even share of calls that end with the citizen
completing a task online (pure; a formula, not a guess).

The argument behind the pilot: a task handled in person (at the Borgerservice counter) costs
up to `k` times the same task done online (k = 30 for a moving registration). A call after
which the citizen completes the task online instead of coming in saves (k - 1) * c, where c is
what the online task costs. With H agent-hours a week at w per hour and N answered calls a
week, the hotline pays for itself when a share p of those calls ends that way and

    p * N * (k - 1) * c >= H * w,   that is   p >= p* = H * w / (N * (k - 1) * c).

H and N come from the data (and the option chosen); w, c and k are the municipalities' own
figures. Without them the break-even is the coefficient H / (N * (k - 1)) times the ratio
w / c of an agent-hour's cost to an online task's cost: the report prints that and never
invents w or c.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MOVING_IN_PERSON_MULTIPLE", "BreakEven"]

# "A moving registration handled in person costs up to 30 times the online one" (the pilot's
# own argument, docs/design.md).
MOVING_IN_PERSON_MULTIPLE = 30.0


@dataclass(frozen=True)
class BreakEven:
    agent_hours_per_week: float  # H
    answered_calls_per_week: float  # N
    in_person_multiple: float | None = MOVING_IN_PERSON_MULTIPLE  # k; None: not known
    agent_hour_cost: float | None = None  # w
    online_task_cost: float | None = None  # c

    def __post_init__(self) -> None:
        if self.agent_hours_per_week < 0 or self.answered_calls_per_week < 0:
            raise ValueError("agent-hours and calls must be >= 0")
        if self.in_person_multiple is not None and self.in_person_multiple <= 1:
            raise ValueError("the in-person multiple must be > 1 (in person costs more)")
        for name in ("agent_hour_cost", "online_task_cost"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0")

    @property
    def hours_per_call(self) -> float | None:
        """H / N: agent-hours a week per answered call a week."""
        if self.answered_calls_per_week == 0:
            return None
        return self.agent_hours_per_week / self.answered_calls_per_week

    @property
    def coefficient(self) -> float | None:
        """H / (N * (k - 1)): p* is this times w / c. None without N or k."""
        per_call = self.hours_per_call
        if per_call is None or self.in_person_multiple is None:
            return None
        return per_call / (self.in_person_multiple - 1)

    @property
    def share_needed(self) -> float | None:
        """p* when w and c are given (may exceed 1: then even every call would not do)."""
        if self.coefficient is None or self.agent_hour_cost is None:
            return None
        if self.online_task_cost is None:
            return None
        return self.coefficient * self.agent_hour_cost / self.online_task_cost
