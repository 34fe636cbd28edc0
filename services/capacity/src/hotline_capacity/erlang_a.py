"""Erlang A (Palm's M/M/n+M queue): Erlang C plus callers who hang up.

Model: Poisson arrivals at rate ``lam``, ``n`` agents with exponential handling
times (rate ``mu = 1/aht``), first-come-first-served queue, and every waiting
caller hangs up after an exponentially distributed patience with mean
``patience`` (rate ``theta = 1/patience``). The number of callers in the system
is a birth-death chain: birth rate ``lam``; death rate ``k*mu`` for ``k <= n`` and
``n*mu + (k-n)*theta`` for ``k > n``. Unlike Erlang C it is stable for any load.

Notation as in Mandelbaum & Zeltyn, "Service Engineering in Action: The
Palm/Erlang-A Queue, with Applications to Call Centers" (Advances in Services
Innovations, Springer 2007, doi:10.1007/978-3-540-29860-1_2):
``a = lam/mu`` (offered Erlang), ``x = n*mu/theta``, ``y = lam/theta``.

Stationary law, in units of ``p_n`` (the probability that exactly n are in the
system): the states ``k <= n`` sum to ``1/B`` with ``B`` the Erlang B value, and
queue length ``j >= 0`` has weight ``t_j = y**j / ((x+1)(x+2)...(x+j))``.
So with ``A = sum t_j`` (their ``A(x, y)``) and ``M = sum j*t_j``:

* P(wait)    = A / D, with D = 1/B - 1 + A
* P(abandon) = theta*E[queue]/lam = (M / y) / D

Answered within ``t`` (derived here, it matches their incomplete-gamma form): a
caller who finds ``j`` waiting is answered after ``j+1`` queue departures that
happen at rates ``n*mu + i*theta`` (i = j, ..., 0: the callers ahead of him
hang up too). Those rates are equally spaced, so the hypoexponential density has
the closed form ``C_j * exp(-n*mu*s) * (1 - exp(-theta*s))**j`` with no
alternating sum. He is answered if that time comes before his own patience runs
out (probability ``exp(-theta*s)``). Weighting by ``t_j`` (PASTA: arrivals see
the stationary law) and summing over ``j`` under the integral gives

    S(t) = x * integral_0^U exp(y*u) (1-u)**x du,         U = 1 - exp(-theta*t)
         = x * (G(y) - exp(y*U - (x+1)*theta*t) * G(y*(1-U)))
    G(w) = sum_k w**k / ((x+1)(x+2)...(x+k+1))   (= e^w w^-(x+1) lower_gamma(x+1, w))

and P(answered within t) = (1/B - 1)/D + S(t)/D. Every series has positive terms
and is summed with rescaling, so nothing overflows for hundreds or thousands of
agents; the only subtraction is the one in S(t), done in log space with expm1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hotline_capacity.erlang import erlang_b

__all__ = ["ErlangAMetrics", "erlang_a"]

# Stop summing once the rest of a series is below this share of what we have.
_TAIL = 1e-17
# Rescale running sums before they overflow a float; the scale is kept as a log.
_BIG = 1e250
_LOG_BIG = math.log(_BIG)


@dataclass(frozen=True)
class ErlangAMetrics:
    """Steady-state figures of an M/M/n+M queue.

    ``service_level``: share of *all offered* callers who are answered and waited at
    most the threshold; callers who hang up count as not answered in time, even if
    they hung up before the threshold.
    ``average_speed_of_answer``: mean time in queue over *all offered* callers
    (0 for those answered at once, the time until hanging up for those who
    abandon); by Little's law it equals ``P(abandon) * patience``.
    ``occupancy``: share of agent time spent on calls, ``a * (1 - P(abandon)) / n``.
    """

    waiting_probability: float
    abandonment_probability: float
    service_level: float
    average_speed_of_answer: float
    occupancy: float


def _log_series(w: float, x: float, shift: int) -> tuple[float, float]:
    """Return ``(log sum_k c_k, log sum_k k*c_k)`` with ``c_k = prod_{i=1..k} w/(x+shift+i)``.

    The terms rise while ``x+shift+k < w`` and then fall faster than geometrically,
    so the loop ends shortly after the peak. ``log(0)`` is returned as ``-inf``.
    """
    total, weighted, term, log_scale = 1.0, 0.0, 1.0, 0.0
    k = 0
    while True:
        k += 1
        ratio = w / (x + shift + k)
        term *= ratio
        total += term
        weighted += k * term
        if ratio < 1.0:
            # Past the peak the ratios keep shrinking, so the tail is below a geometric
            # series with this ratio: term * ratio / (1 - ratio) (times k+1 for M).
            tail = term * ratio / (1.0 - ratio)
            if tail <= _TAIL * total and (k + 1) * tail <= _TAIL * weighted:
                break
            if term == 0.0:
                break
        if total > _BIG:
            total /= _BIG
            weighted /= _BIG
            term /= _BIG
            log_scale += _LOG_BIG
    log_weighted = log_scale + math.log(weighted) if weighted > 0 else -math.inf
    return log_scale + math.log(total), log_weighted


def erlang_a(
    agents: int,
    arrival_rate: float,
    aht: float,
    patience: float,
    answer_within: float,
) -> ErlangAMetrics:
    """Figures of M/M/n+M; rates per time unit of ``aht``, ``patience`` and ``answer_within``."""
    if agents < 1:
        raise ValueError(f"Erlang A needs at least one agent, got {agents}")
    for name, value in (("arrival rate", arrival_rate), ("answer-within", answer_within)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    for name, value in (("average handling time", aht), ("mean patience", patience)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {value}")

    a = arrival_rate * aht
    b = erlang_b(agents, a)
    if arrival_rate == 0 or b == 0.0:
        # No traffic, or so many agents that P(all busy) underflows: nobody waits.
        return ErlangAMetrics(0.0, 0.0, 1.0, 0.0, a / agents)

    x = agents * patience / aht
    y = arrival_rate * patience
    log_a_sum, log_m_sum = _log_series(y, x, 0)
    log_idle = math.log1p(-b) - math.log(b)  # log(1/B - 1): states with a free agent
    log_d = _logaddexp(log_idle, log_a_sum)

    p_wait = math.exp(log_a_sum - log_d)
    p_abandon = math.exp(log_m_sum - math.log(y) - log_d)

    theta_t = answer_within / patience
    log_g_y = _log_series(y, x, 1)[0] - math.log(x + 1)
    log_g_z = _log_series(y * math.exp(-theta_t), x, 1)[0] - math.log(x + 1)
    # S(t) = x*G(y)*(1 - exp(diff)); diff <= 0 because S is a probability mass >= 0.
    diff = y * -math.expm1(-theta_t) - (x + 1) * theta_t + log_g_z - log_g_y
    served_after_wait = (
        math.exp(math.log(x) + log_g_y + math.log(-math.expm1(diff)) - log_d) if diff < 0 else 0.0
    )
    service_level = math.exp(log_idle - log_d) + served_after_wait
    return ErlangAMetrics(
        waiting_probability=p_wait,
        abandonment_probability=p_abandon,
        service_level=min(1.0, service_level),
        average_speed_of_answer=p_abandon * patience,
        occupancy=a * (1.0 - p_abandon) / agents,
    )


def _logaddexp(u: float, v: float) -> float:
    """``log(exp(u) + exp(v))`` without overflow (either may be ``-inf``)."""
    hi, lo = max(u, v), min(u, v)
    if hi == -math.inf:
        return hi
    return hi + math.log1p(math.exp(lo - hi))
