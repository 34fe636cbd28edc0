"""Erlang A against two independent methods.

1. A direct numerical solve of the Markov chains with numpy/scipy: the stationary law
   of the truncated birth-death chain, then -- for the service level -- the transient
   law (``scipy.linalg.expm``) of a tagged caller's position in queue, with his own
   hang-up as a competing absorbing state, started from what arrivals see (PASTA).
2. A seeded discrete-event simulation of M/M/n+M (FCFS, exponential patience).

Plus limits: huge patience gives Erlang C, tiny patience gives the Erlang B loss system.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import integrate, linalg, special

from hotline_capacity import erlang
from hotline_capacity.erlang_a import erlang_a


@dataclass(frozen=True)
class Reference:
    p_wait: float
    p_abandon: float
    service_level: float
    asa: float


def ctmc_reference(n: int, lam: float, aht: float, patience: float, t: float) -> Reference:
    mu, theta = 1 / aht, 1 / patience
    size = n + 600
    log_p = np.zeros(size)
    for k in range(1, size):
        death = k * mu if k <= n else n * mu + (k - n) * theta
        log_p[k] = log_p[k - 1] + math.log(lam / death)
    p = np.exp(log_p - special.logsumexp(log_p))
    assert p[-1] < 1e-30  # the truncation is harmless
    queue = p[n:]
    j_max = queue.size - 1
    p_abandon = theta * float((np.arange(queue.size) * queue).sum()) / lam

    # Tagged caller: phase j = callers ahead of him (0..j_max); then served, abandoned.
    served, gone = j_max + 1, j_max + 2
    gen = np.zeros((j_max + 3, j_max + 3))
    for j in range(j_max + 1):
        move = n * mu + j * theta  # head of line served, or someone ahead hangs up
        gen[j, served if j == 0 else j - 1] += move
        gen[j, gone] += theta  # he hangs up himself
        gen[j, j] = -(move + theta)
    start = np.zeros(j_max + 3)
    start[: j_max + 1] = queue
    answered_in_time = float((start @ linalg.expm(gen * t))[served])
    p_wait = float(queue.sum())
    return Reference(p_wait, p_abandon, 1 - p_wait + answered_in_time, p_abandon * patience)


CASES = [
    # (agents, calls per second, AHT s, mean patience s, threshold s)
    (13, 60 / 1800, 300, 180, 20),  # the hotline example
    (10, 60 / 1800, 300, 180, 20),  # n = offered load: Erlang C would be unstable
    (6, 60 / 1800, 300, 180, 20),  # heavily overloaded
    (14, 60 / 1800, 300, 60, 60),
    (3, 10 / 1800, 420, 30, 100),
    (40, 300 / 1800, 240, 600, 15),
]


@pytest.mark.parametrize(("n", "lam", "aht", "patience", "t"), CASES)
def test_matches_numerical_ctmc(n: int, lam: float, aht: float, patience: float, t: float) -> None:
    ref = ctmc_reference(n, lam, aht, patience, t)
    m = erlang_a(n, lam, aht, patience, t)
    assert m.waiting_probability == pytest.approx(ref.p_wait, rel=1e-9)
    assert m.abandonment_probability == pytest.approx(ref.p_abandon, rel=1e-9)
    assert m.service_level == pytest.approx(ref.service_level, rel=1e-8, abs=1e-12)
    assert m.average_speed_of_answer == pytest.approx(ref.asa, rel=1e-9)
    assert m.occupancy == pytest.approx(lam * aht * (1 - ref.p_abandon) / n, rel=1e-9)


def test_served_within_t_matches_quadrature_of_the_integral() -> None:
    # S(t) = x * int_0^U exp(y u) (1-u)^x du, integrated numerically, times p_n.
    n, lam, aht, patience, t = 13, 60 / 1800, 300.0, 180.0, 20.0
    x, y = n * patience / aht, lam * patience
    u_max = -math.expm1(-t / patience)
    s, _ = integrate.quad(lambda u: x * math.exp(y * u) * (1 - u) ** x, 0, u_max)
    ref = ctmc_reference(n, lam, aht, patience, t)
    m = erlang_a(n, lam, aht, patience, t)
    # p_n = P(wait) / A, with A = sum of the queue weights.
    weights = [1.0]
    for j in range(1, 400):
        weights.append(weights[-1] * y / (x + j))
    p_n = ref.p_wait / sum(weights)
    assert m.service_level - (1 - m.waiting_probability) == pytest.approx(p_n * s, rel=1e-8)


def simulate(n: int, lam: float, aht: float, patience: float, t: float, calls: int) -> Reference:
    """FCFS M/M/n+M by agents' next-free times: a caller's wait is fixed by earlier callers."""
    rng = random.Random(20240917)
    free = [0.0] * n  # heap of the times each agent next becomes free
    clock = 0.0
    waited = abandoned = in_time = 0
    total_wait = 0.0
    warm_up = calls // 10
    for i in range(calls):
        clock += rng.expovariate(lam)
        offered_wait = max(0.0, free[0] - clock)
        give_up = rng.expovariate(1 / patience)
        if offered_wait <= give_up:
            heapq.heapreplace(free, clock + offered_wait + rng.expovariate(1 / aht))
        if i < warm_up:
            continue
        waited += offered_wait > 0
        abandoned += offered_wait > give_up
        in_time += offered_wait <= min(t, give_up)
        total_wait += min(offered_wait, give_up)
    m = calls - warm_up
    return Reference(waited / m, abandoned / m, in_time / m, total_wait / m)


@pytest.mark.parametrize(
    ("n", "lam", "aht", "patience", "t"),
    [(13, 60 / 1800, 300, 180, 20), (8, 60 / 1800, 300, 90, 30)],
)
def test_matches_seeded_simulation(
    n: int, lam: float, aht: float, patience: float, t: float
) -> None:
    sim = simulate(n, lam, aht, patience, t, calls=300_000)
    m = erlang_a(n, lam, aht, patience, t)
    assert m.waiting_probability == pytest.approx(sim.p_wait, abs=0.01)
    assert m.abandonment_probability == pytest.approx(sim.p_abandon, abs=0.005)
    assert m.service_level == pytest.approx(sim.service_level, abs=0.01)
    assert m.average_speed_of_answer == pytest.approx(sim.asa, rel=0.05)


@pytest.mark.parametrize(("n", "a"), [(12, 10.0), (14, 10.0), (130, 120.0)])
def test_huge_patience_converges_to_erlang_c(n: int, a: float) -> None:
    aht, t = 300.0, 20.0
    m = erlang_a(n, a / aht, aht, 1e9, t)
    assert m.waiting_probability == pytest.approx(erlang.erlang_c(n, a), rel=1e-5)
    assert m.service_level == pytest.approx(erlang.service_level(n, a, aht, t), rel=1e-5)
    assert m.abandonment_probability < 1e-5


def test_tiny_patience_is_the_erlang_b_loss_system() -> None:
    n, a, aht = 10, 10.0, 300.0
    m = erlang_a(n, a / aht, aht, 1e-6, 20)
    b = erlang.erlang_b(n, a)
    assert m.waiting_probability == pytest.approx(b, rel=1e-6)
    assert m.abandonment_probability == pytest.approx(b, rel=1e-6)
    assert m.service_level == pytest.approx(1 - b, rel=1e-6)


def test_zero_threshold_counts_only_immediate_answers() -> None:
    m = erlang_a(12, 60 / 1800, 300, 180, 0)
    assert m.service_level == pytest.approx(1 - m.waiting_probability, rel=1e-12)


@pytest.mark.parametrize("n", [200, 833, 900, 2000])
def test_hundreds_of_agents_stay_finite(n: int) -> None:
    lam = 5000 / 1800  # 833 Erlang at AHT 300 s
    m = erlang_a(n, lam, 300, 180, 20)
    values = [m.waiting_probability, m.abandonment_probability, m.service_level, m.occupancy]
    assert all(math.isfinite(v) and 0 <= v <= 1 for v in values)
    assert math.isfinite(m.average_speed_of_answer)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least one agent"):
        erlang_a(0, 1.0, 300, 180, 20)
    with pytest.raises(ValueError, match="patience"):
        erlang_a(3, 1.0, 300, 0, 20)
