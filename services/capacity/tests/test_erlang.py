"""Erlang C against reference values computed here by other routes.

* the textbook factorial formula in exact rational arithmetic (small n);
* a truncated M/M/n birth-death chain solved with numpy, with the service level
  summed from scipy's gamma (Erlang-k) CDF per queue position and the mean wait
  from the chain, so the exponential tail formula of the module is checked too;
* scipy log-gamma / logsumexp for hundreds of agents.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import special, stats

from hotline_capacity import erlang


def textbook_erlang_c(n: int, a: Fraction) -> Fraction:
    """C(n, A) = (A^n/n! * n/(n-A)) / (sum_{k<n} A^k/k! + A^n/n! * n/(n-A)), exactly."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def chain_reference(n: int, a: float, aht: float, t: float) -> tuple[float, float, float]:
    """(P(wait), SL, ASA) from the stationary law of M/M/n truncated far in the tail."""
    mu, lam = 1 / aht, a / aht
    size = n + 4000
    log_p = np.zeros(size)
    for k in range(1, size):
        log_p[k] = log_p[k - 1] + math.log(lam / (min(k, n) * mu))
    p = np.exp(log_p - special.logsumexp(log_p))
    queue = p[n:]  # an arrival finding n+j in the system waits for j+1 service completions
    j = np.arange(queue.size)
    p_wait = float(queue.sum())
    sl = 1 - p_wait + float((queue * stats.gamma.cdf(t, j + 1, scale=1 / (n * mu))).sum())
    asa = float((queue * (j + 1) / (n * mu)).sum())
    return p_wait, sl, asa


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 21, 30])
@pytest.mark.parametrize("a", [Fraction(1, 2), Fraction(7, 3), Fraction(10), Fraction(51, 2)])
def test_erlang_c_matches_exact_textbook_formula(n: int, a: Fraction) -> None:
    if n <= a:
        assert erlang.erlang_c(n, float(a)) == 1.0
        return
    assert erlang.erlang_c(n, float(a)) == pytest.approx(float(textbook_erlang_c(n, a)), rel=1e-12)


@pytest.mark.parametrize(
    ("n", "a", "aht", "t"),
    [
        (11, 10.0, 180, 20),
        (14, 10.0, 300, 20),
        (3, 1.2, 240, 30),
        (55, 48.0, 240, 15),
        (120, 100.0, 300, 20),
    ],
)
def test_service_level_and_asa_match_birth_death_chain(
    n: int, a: float, aht: float, t: float
) -> None:
    p_wait, sl, asa = chain_reference(n, a, aht, t)
    assert erlang.erlang_c(n, a) == pytest.approx(p_wait, rel=1e-10)
    assert erlang.service_level(n, a, aht, t) == pytest.approx(sl, rel=1e-10)
    assert erlang.average_speed_of_answer(n, a, aht) == pytest.approx(asa, rel=1e-9)


def test_widely_quoted_worked_example() -> None:
    # 100 calls per 30 minutes with AHT 180 s = 10 Erlang, 20 s threshold: the figures of
    # the Call Centre Helper "Erlang C formula made simple" walk-through as widely quoted
    # (11 agents: 68.21 % wait, ASA 122.8 s; 14 agents: 88.8 % within 20 s).
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.average_speed_of_answer(11, 10.0, 180) == pytest.approx(122.8, abs=0.05)
    assert erlang.service_level(14, 10.0, 180, 20) == pytest.approx(0.888, abs=5e-4)


@pytest.mark.parametrize(("n", "a"), [(300, 280.0), (500, 480.5), (1000, 950.0), (3000, 2900.0)])
def test_hundreds_of_agents_are_stable(n: int, a: float) -> None:
    # Erlang B in log space with scipy: log(A^n/n!) - logsumexp_k log(A^k/k!).
    k = np.arange(n + 1)
    log_terms = k * math.log(a) - special.gammaln(k + 1)
    b = math.exp(float(log_terms[-1] - special.logsumexp(log_terms)))
    assert erlang.erlang_b(n, a) == pytest.approx(b, rel=1e-9)
    c = n * b / (n - a * (1 - b))
    assert erlang.erlang_c(n, a) == pytest.approx(c, rel=1e-9)
    assert 0 < erlang.service_level(n, a, 300, 20) < 1


def test_unstable_queue_is_explicit() -> None:
    assert erlang.erlang_c(10, 10.0) == 1.0
    assert erlang.service_level(9, 10.0, 300, 20) == 0.0
    assert erlang.average_speed_of_answer(10, 10.0, 300) == math.inf
    assert erlang.occupancy(9, 10.0) == 1.0


def test_no_traffic() -> None:
    assert erlang.erlang_c(3, 0.0) == 0.0
    assert erlang.service_level(0, 0.0, 300, 20) == 1.0
    assert erlang.average_speed_of_answer(1, 0.0, 300) == 0.0


def test_zero_threshold_is_probability_of_no_wait() -> None:
    assert erlang.service_level(12, 10.0, 300, 0) == pytest.approx(1 - erlang.erlang_c(12, 10.0))


@pytest.mark.parametrize(("n", "a"), [(-1, 1.0), (2, -0.5), (2, math.nan), (2, math.inf)])
def test_bad_arguments(n: int, a: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        erlang.erlang_c(n, a)
