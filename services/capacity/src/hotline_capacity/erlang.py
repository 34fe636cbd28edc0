"""Erlang B and Erlang C (M/M/n, callers wait forever) as pure float functions.

Why the recurrence: the textbook Erlang C formula has ``A**n / n!`` in it, which
overflows a float near n = 170 and loses precision long before that. The Erlang B
recurrence ``B(k) = A*B(k-1) / (k + A*B(k-1))`` keeps every intermediate value in
[0, 1], so it is stable for thousands of agents, and Erlang C follows from B by
``C = n*B / (n - A*(1 - B))``.

Units: ``traffic`` is the offered load in Erlang (arrival rate x mean handling
time); times are in the same unit as ``aht`` (the CLI uses seconds).
"""

from __future__ import annotations

import math

__all__ = [
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]


def _check(agents: int, traffic: float) -> None:
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents}")
    if not (math.isfinite(traffic) and traffic >= 0):
        raise ValueError(f"traffic must be a finite number >= 0 Erlang, got {traffic}")


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of M/M/n/n: the share of calls that find all agents busy."""
    _check(agents, traffic)
    b = 1.0
    for k in range(1, agents + 1):
        ab = traffic * b
        b = ab / (k + ab)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller has to wait (M/M/n with an unlimited queue).

    With ``agents <= traffic`` the queue grows without bound, so every caller
    waits: we return 1 rather than a meaningless value of the formula.
    """
    _check(agents, traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, aht: float, answer_within: float) -> float:
    """Share of callers answered within ``answer_within``: ``1 - C*exp(-(n-A)*t/AHT)``.

    An unstable queue (``agents <= traffic``) answers nobody within any bound, so 0.
    """
    _check_times(aht, answer_within)
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    c = erlang_c(agents, traffic)
    return 1.0 - c * math.exp(-(agents - traffic) * answer_within / aht)


def average_speed_of_answer(agents: int, traffic: float, aht: float) -> float:
    """Mean wait over all callers (those answered at once count as 0): ``C*AHT/(n-A)``.

    Infinite for an unstable queue.
    """
    _check_times(aht, 0.0)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """Share of agent time spent on calls, ``A/n`` (capped at 1 when overloaded)."""
    _check(agents, traffic)
    if traffic == 0:
        return 0.0
    if agents == 0:
        return 1.0
    return min(1.0, traffic / agents)


def _check_times(aht: float, answer_within: float) -> None:
    if not (math.isfinite(aht) and aht > 0):
        raise ValueError(f"average handling time must be > 0, got {aht}")
    if not (math.isfinite(answer_within) and answer_within >= 0):
        raise ValueError(f"answer-within threshold must be >= 0, got {answer_within}")
