"""How many agents an interval needs: Erlang C, or Erlang A when callers hang up.

The search is on *productive* agents (on the phones). Rostered agents add the
shrinkage (breaks, training, absence): ``ceil(agents / (1 - shrinkage))``. That
division is done with ``fractions.Fraction`` built from the decimal text of the
inputs, because in floats ``7 / (1 - 0.3)`` is ``10.000000000000002`` and a
ceiling would roster an 11th person who is not needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hotline_capacity import erlang
from hotline_capacity.erlang_a import erlang_a

__all__ = ["Number", "StaffingResult", "exact", "offered_load", "required_agents", "rostered"]

Number = int | float | Decimal | Fraction


@dataclass(frozen=True)
class StaffingResult:
    """The staffing answer; the field names are the JSON keys of ``hotline staffing --json``.

    ``abandonment_probability`` is ``None`` for Erlang C (no patience given) and is
    then left out of :meth:`as_dict`. See :mod:`hotline_capacity.erlang_a` for the
    exact meaning of service level and speed of answer when callers hang up.
    """

    agents: int
    rostered_agents: int
    service_level: float
    occupancy: float
    waiting_probability: float
    average_speed_of_answer_seconds: float
    abandonment_probability: float | None = None

    def as_dict(self) -> dict[str, int | float]:
        out: dict[str, int | float] = {
            "agents": self.agents,
            "rostered_agents": self.rostered_agents,
            "service_level": self.service_level,
            "occupancy": self.occupancy,
            "waiting_probability": self.waiting_probability,
            "average_speed_of_answer_seconds": self.average_speed_of_answer_seconds,
        }
        if self.abandonment_probability is not None:
            out["abandonment_probability"] = self.abandonment_probability
        return out


@dataclass(frozen=True)
class _Figures:
    service_level: float
    occupancy: float
    waiting_probability: float
    asa: float
    abandonment: float | None


def exact(value: Number, name: str) -> Fraction:
    """The exact rational a user meant: floats go through their shortest decimal repr.

    ``Fraction(0.3)`` is 5404319552844595/18014398509481984, but ``repr(0.3)`` is
    ``'0.3'``, which is what was typed; Decimal and int are exact already.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
        return Fraction(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value}")
    return Fraction(value)


def offered_load(calls: Number, interval_minutes: Number, aht_seconds: Number) -> Fraction:
    """Offered traffic in Erlang: calls x AHT / interval length, exactly."""
    return (
        exact(calls, "calls")
        * exact(aht_seconds, "AHT")
        / (exact(interval_minutes, "interval") * 60)
    )


def rostered(agents: int, shrinkage: Number) -> int:
    """``ceil(agents / (1 - shrinkage))`` in exact arithmetic."""
    s = exact(shrinkage, "shrinkage")
    if not 0 <= s < 1:
        raise ValueError(f"shrinkage must be >= 0 and < 1, got {shrinkage}")
    return math.ceil(Fraction(agents) / (1 - s))


def _validate(
    calls: Fraction,
    interval: Fraction,
    aht: Fraction,
    within: Fraction,
    target: Fraction,
    max_occ: Fraction,
    shrinkage: Fraction,
    patience: Fraction | None,
) -> None:
    checks = [
        (calls >= 0, f"calls must be >= 0, got {float(calls):g}"),
        (interval > 0, f"interval minutes must be > 0, got {float(interval):g}"),
        (aht > 0, f"AHT seconds must be > 0, got {float(aht):g}"),
        (within >= 0, f"answer-within seconds must be >= 0, got {float(within):g}"),
        (0 < target < 1, f"target service level must be > 0 and < 1, got {float(target):g}"),
        (0 < max_occ <= 1, f"max occupancy must be > 0 and <= 1, got {float(max_occ):g}"),
        (0 <= shrinkage < 1, f"shrinkage must be >= 0 and < 1, got {float(shrinkage):g}"),
        (
            patience is None or patience > 0,
            f"patience seconds must be > 0, got {float(patience or 0):g}",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


def _smallest(lo: int, hi: int, good: Callable[[int], bool]) -> int:
    """Smallest n in (lo, hi] with good(n), for good monotone and good(hi) true."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if good(mid):
            hi = mid
        else:
            lo = mid
    return hi


def required_agents(
    calls: Number,
    interval_minutes: Number,
    aht_seconds: Number,
    answer_within_seconds: Number,
    target_service_level: Number,
    max_occupancy: Number,
    shrinkage: Number,
    patience_seconds: Number | None = None,
) -> StaffingResult:
    """Fewest productive agents meeting the service level, raised to honour the occupancy cap.

    Erlang C without ``patience_seconds``; Erlang A (exponential patience with that
    mean) with it. Raises ValueError on inputs outside their meaningful range.
    """
    q_calls = exact(calls, "calls")
    q_interval = exact(interval_minutes, "interval minutes")
    q_aht = exact(aht_seconds, "AHT seconds")
    q_within = exact(answer_within_seconds, "answer-within seconds")
    q_target = exact(target_service_level, "target service level")
    q_occ = exact(max_occupancy, "max occupancy")
    q_shrink = exact(shrinkage, "shrinkage")
    q_patience = None if patience_seconds is None else exact(patience_seconds, "patience")
    _validate(q_calls, q_interval, q_aht, q_within, q_target, q_occ, q_shrink, q_patience)

    if q_calls == 0:
        return StaffingResult(0, 0, 1.0, 0.0, 0.0, 0.0, None if q_patience is None else 0.0)

    load = q_calls * q_aht / (q_interval * 60)
    a, aht, within = float(load), float(q_aht), float(q_within)
    rate = float(q_calls / (q_interval * 60))
    patience = None if q_patience is None else float(q_patience)
    target, cap = float(q_target), float(q_occ)

    def figures(n: int) -> _Figures:
        if patience is None:
            return _Figures(
                erlang.service_level(n, a, aht, within),
                erlang.occupancy(n, a),
                erlang.erlang_c(n, a),
                erlang.average_speed_of_answer(n, a, aht),
                None,
            )
        m = erlang_a(n, rate, aht, patience, within)
        return _Figures(
            m.service_level,
            m.occupancy,
            m.waiting_probability,
            m.average_speed_of_answer,
            m.abandonment_probability,
        )

    # Service level rises with n. Erlang C gives 0 for n <= load, so start above it;
    # Erlang A is stable for any n >= 1. Double until the target is met, then bisect.
    lo = math.floor(load) if patience is None else 0
    hi = max(lo + 1, 1)
    while figures(hi).service_level < target:
        lo, hi = hi, hi * 2
    n = _smallest(lo, hi, lambda k: figures(k).service_level >= target)

    # Occupancy falls with n and never exceeds load/n, so ceil(load/cap) agents always
    # respect the cap (exact for Erlang C, where occupancy is load/n).
    cap_bound = math.ceil(load / q_occ)
    if patience is None:
        n = max(n, cap_bound)
    elif figures(n).occupancy > cap:
        n = _smallest(
            n, max(n + 1, cap_bound), lambda k: k >= cap_bound or figures(k).occupancy <= cap
        )

    f = figures(n)
    return StaffingResult(
        agents=n,
        rostered_agents=rostered(n, q_shrink),
        service_level=f.service_level,
        occupancy=f.occupancy,
        waiting_probability=f.waiting_probability,
        average_speed_of_answer_seconds=f.asa,
        abandonment_probability=f.abandonment,
    )
