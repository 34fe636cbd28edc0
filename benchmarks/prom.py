"""Read one Prometheus histogram from a /metrics page; quantiles from bucket deltas."""

from __future__ import annotations

import math

import httpx
from prometheus_client.parser import text_string_to_metric_families

Buckets = dict[float, float]  # upper bound ("le") -> cumulative count


def histogram(url: str, name: str) -> Buckets:
    """The cumulative buckets of histogram `name` (no labels) at `url`; empty if absent."""
    text = httpx.get(url, timeout=5).text
    buckets: Buckets = {}
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for sample in family.samples:
            if sample.name == f"{name}_bucket":
                buckets[float(sample.labels["le"])] = sample.value
    return buckets


def delta(after: Buckets, before: Buckets) -> Buckets:
    return {le: count - before.get(le, 0.0) for le, count in after.items()}


def quantile_bound(buckets: Buckets, q: float) -> float:
    """The upper edge of the bucket holding quantile q: "p99 <= this".

    Interpolating inside a bucket (as PromQL does) invents precision the buckets do not have;
    the edge is what the histogram actually shows. +inf for the last bucket, nan if empty.
    """
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0.0
    if total <= 0:
        return math.nan
    for le in bounds:
        if buckets[le] >= q * total:
            return le
    return math.inf


def share_at_most(buckets: Buckets, bound: float) -> float:
    """The share of samples at or under `bound`, which must be a bucket edge."""
    total = buckets.get(math.inf, 0.0)
    return buckets.get(bound, math.nan) / total if total else math.nan
