"""The pilot report's statistics (pure functions): rates with exact intervals, whether rates
differ between municipalities, and whether demand grew.

- **Rate intervals** are Garwood's exact Poisson intervals (Garwood 1936): for k events, the
  95 % interval of the mean is [chi2(0.025; 2k) / 2, chi2(0.975; 2k + 2) / 2], divided by the
  population for a rate. Exact, so it stays honest for a municipality with few calls (Odder),
  where the normal approximation is too narrow and can go below zero.
- **Are the differences real?** Conditional on the total, calls from m municipalities with
  equal rates are multinomial with shares proportional to population. Overall: Pearson's
  chi-square test of that (m - 1 degrees of freedom). Each municipality against the rest, and
  each pair: the exact conditional test of two Poisson rates (given k1 + k2 calls, k1 is
  binomial with p = n1 / (n1 + n2); Przyborowski & Wilenski 1940), two-sided, with Holm's
  correction across the comparisons of a family, so "different" means different at 5 % after
  looking at all of them.
- **Is demand growing?** A Poisson regression (log link) of the calls of each open evening on
  its weekday and the date (in years), fitted by iteratively reweighted least squares; the
  slope's standard error is inflated by the Pearson dispersion when the evenings vary more than
  Poisson (quasi-Poisson, never below Poisson), and the interval uses Student's t. Growth per
  year = exp(slope) - 1. With one year of data a trend and a season cannot be told apart: the
  report says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats as sps

__all__ = [
    "ALPHA",
    "MIN_TREND_DAYS",
    "Comparison",
    "GroupCount",
    "Homogeneity",
    "RateComparison",
    "RateEstimate",
    "Trend",
    "compare_rates",
    "exact_rate_test",
    "garwood",
    "holm",
    "homogeneity",
    "poisson_trend",
    "rate",
]

ALPHA = 0.05
# A trend needs a span of evenings to mean anything: eight weeks at least.
MIN_TREND_DAYS = 56
_IRLS_ROUNDS = 100
_IRLS_TOLERANCE = 1e-10


def garwood(count: int, confidence: float = 1 - ALPHA) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson mean from an observed count."""
    if count < 0:
        raise ValueError(f"a count must be >= 0, got {count}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    tail = (1 - confidence) / 2
    low = 0.0 if count == 0 else float(sps.chi2.ppf(tail, 2 * count)) / 2
    high = float(sps.chi2.ppf(1 - tail, 2 * count + 2)) / 2
    return low, high


@dataclass(frozen=True)
class RateEstimate:
    """Events per `per` of an exposure (calls per 1,000 citizens), with the exact interval."""

    count: int
    exposure: float
    per: float
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.count * self.per / self.exposure


def rate(
    count: int, exposure: float, per: float = 1000.0, confidence: float = 1 - ALPHA
) -> RateEstimate:
    if exposure <= 0:
        raise ValueError(f"exposure must be > 0, got {exposure}")
    low, high = garwood(count, confidence)
    return RateEstimate(count, exposure, per, low * per / exposure, high * per / exposure)


@dataclass(frozen=True)
class Homogeneity:
    """Pearson's chi-square test that every group has the same rate."""

    statistic: float
    df: int
    p_value: float


def homogeneity(counts: Sequence[int], exposures: Sequence[float]) -> Homogeneity:
    """Chi-square of the counts against expectations proportional to exposure (df = m - 1)."""
    if len(counts) != len(exposures) or len(counts) < 2:
        raise ValueError("homogeneity needs at least two groups, each with its exposure")
    if any(e <= 0 for e in exposures):
        raise ValueError("every exposure must be > 0")
    total = sum(counts)
    if total == 0:
        return Homogeneity(0.0, len(counts) - 1, 1.0)
    whole = math.fsum(exposures)
    statistic = math.fsum(
        (k - total * e / whole) ** 2 / (total * e / whole)
        for k, e in zip(counts, exposures, strict=True)
    )
    df = len(counts) - 1
    return Homogeneity(statistic, df, float(sps.chi2.sf(statistic, df)))


def exact_rate_test(k1: int, n1: float, k2: int, n2: float) -> float:
    """Two-sided p-value that two Poisson rates (k1 events in exposure n1, k2 in n2) are
    equal: the conditional binomial test."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("exposures must be > 0")
    if k1 + k2 == 0:
        return 1.0
    return float(sps.binomtest(k1, k1 + k2, n1 / (n1 + n2)).pvalue)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input's order (capped at 1)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


@dataclass(frozen=True)
class GroupCount:
    key: str
    count: int
    exposure: float


@dataclass(frozen=True)
class Comparison:
    """One group against another (or against all the others: `other` is "rest")."""

    key: str
    other: str
    rate_ratio: float | None  # key's rate / other's; None when the other has no events
    p_value: float
    p_adjusted: float  # Holm, within its family
    different: bool  # p_adjusted < alpha

    @property
    def direction(self) -> str:
        """higher, lower or same: how `key` compares with `other`, after correction."""
        if not self.different:
            return "same"
        if self.rate_ratio is None:  # the other has no events at all, this one has
            return "higher"
        return "higher" if self.rate_ratio > 1 else "lower"


@dataclass(frozen=True)
class RateComparison:
    overall: Homogeneity
    versus_rest: list[Comparison]  # each group against the others pooled, Holm over groups
    pairs: list[Comparison]  # every pair, Holm over pairs
    alpha: float

    @property
    def differ(self) -> bool:
        return self.overall.p_value < self.alpha


def _ratio(k1: int, n1: float, k2: int, n2: float) -> float | None:
    return None if k2 == 0 else (k1 / n1) / (k2 / n2)


def compare_rates(groups: Sequence[GroupCount], alpha: float = ALPHA) -> RateComparison:
    """Whether the groups' rates differ: overall, each against the rest, and pairwise."""
    if len(groups) < 2:
        raise ValueError("comparing rates needs at least two groups")
    overall = homogeneity([g.count for g in groups], [g.exposure for g in groups])
    total_k = sum(g.count for g in groups)
    total_n = math.fsum(g.exposure for g in groups)
    raw_rest = [
        (
            g,
            exact_rate_test(g.count, g.exposure, total_k - g.count, total_n - g.exposure),
            _ratio(g.count, g.exposure, total_k - g.count, total_n - g.exposure),
        )
        for g in groups
    ]
    rest_adjusted = holm([p for _, p, _ in raw_rest])
    versus_rest = [
        Comparison(g.key, "rest", ratio, p, adj, adj < alpha)
        for (g, p, ratio), adj in zip(raw_rest, rest_adjusted, strict=True)
    ]
    raw_pairs = [
        (a, b, exact_rate_test(a.count, a.exposure, b.count, b.exposure))
        for i, a in enumerate(groups)
        for b in groups[i + 1 :]
    ]
    pair_adjusted = holm([p for _, _, p in raw_pairs])
    pairs = [
        Comparison(
            a.key, b.key, _ratio(a.count, a.exposure, b.count, b.exposure), p, adj, adj < alpha
        )
        for (a, b, p), adj in zip(raw_pairs, pair_adjusted, strict=True)
    ]
    return RateComparison(overall, versus_rest, pairs, alpha)


@dataclass(frozen=True)
class Trend:
    """Growth of the calls per open evening, from a Poisson regression on weekday and date."""

    evenings: int
    first: date
    last: date
    slope_per_year: float  # on the log scale
    standard_error: float
    dispersion: float  # Pearson chi-square / residual df, at least 1
    p_value: float
    growth_per_year: float  # exp(slope) - 1
    low: float  # interval of the growth per year
    high: float
    confidence: float

    @property
    def verdict(self) -> str:
        """growing, falling or flat: whether the interval of the growth excludes zero."""
        if self.low > 0:
            return "growing"
        if self.high < 0:
            return "falling"
        return "flat"

    def factor(self, years: float) -> float:
        """The demand multiplier after `years` at the estimated growth."""
        return math.exp(self.slope_per_year * years)


def poisson_trend(
    evenings: Sequence[tuple[date, int]], confidence: float = 1 - ALPHA
) -> Trend | None:
    """Poisson regression of each open evening's calls on its weekday and the date; None when
    the evenings span less than `MIN_TREND_DAYS` days or leave no residual degrees of freedom.
    Evenings with no data (holidays, outages) are simply absent."""
    if not evenings:
        return None
    days = sorted(evenings)
    first, last = days[0][0], days[-1][0]
    if (last - first).days < MIN_TREND_DAYS:
        return None
    weekdays = sorted({d.weekday() for d, _ in days})
    y = np.array([float(k) for _, k in days])
    if y.sum() == 0:
        return None
    t = np.array([(d - first).days / 365.25 for d, _ in days])
    t = t - t.mean()  # centred: the weekday effects are the mid-period levels
    x = np.column_stack(
        [np.array([1.0 if d.weekday() == w else 0.0 for d, _ in days]) for w in weekdays] + [t]
    )
    n, p = x.shape
    if n - p < 1:
        return None
    beta = _irls(x, y)
    mu = np.exp(x @ beta)
    information = x.T @ (x * mu[:, None])
    covariance = np.linalg.inv(information)
    pearson = float(np.sum((y - mu) ** 2 / mu))
    dispersion = max(1.0, pearson / (n - p))
    slope = float(beta[-1])
    se = math.sqrt(dispersion * float(covariance[-1, -1]))
    df = n - p
    t_value = slope / se if se > 0 else math.inf
    p_value = float(2 * sps.t.sf(abs(t_value), df))
    quantile = float(sps.t.ppf(1 - (1 - confidence) / 2, df))
    return Trend(
        evenings=n,
        first=first,
        last=last,
        slope_per_year=slope,
        standard_error=se,
        dispersion=dispersion,
        p_value=p_value,
        growth_per_year=math.expm1(slope),
        low=math.expm1(slope - quantile * se),
        high=math.expm1(slope + quantile * se),
        confidence=confidence,
    )


def _irls(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Maximum-likelihood coefficients of a Poisson GLM with log link."""
    eta = np.log(y + 0.5)
    beta = np.linalg.lstsq(x, eta, rcond=None)[0]
    for _ in range(_IRLS_ROUNDS):
        eta = x @ beta
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        weighted = x * mu[:, None]
        new = np.linalg.solve(x.T @ weighted, weighted.T @ z)
        if float(np.max(np.abs(new - beta))) < _IRLS_TOLERANCE:
            return np.asarray(new)
        beta = new
    return np.asarray(beta)
