"""How far each pipeline consumer group is behind its input topics (`hotline topics lag`).

A group's lag on a partition is the partition's end offset minus the group's committed offset
(no commit yet: the whole partition, as the services start from the earliest offset). The
groups are the services' default ids, ``hotline-<service>``, for the consumers the topic
registry names. Zero lag on every topic, in registry order, means what was produced upstream
has been processed and committed downstream: enrich commits after its outputs are
acknowledged and the sink after its insert.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from hotline_schemas.topics import ALL_TOPICS

__all__ = ["TopicLag", "measure", "pipeline_groups", "wait_for_zero"]


@dataclass(frozen=True)
class TopicLag:
    group: str
    topic: str
    end: int  # sum of the partitions' end offsets
    # Sum of the group's committed offsets, each at least the partition's log start: records
    # before it (removed by retention, or deleted) can never be read, so they are no lag.
    committed: int
    lag: int


def pipeline_groups() -> list[tuple[str, str]]:
    """(group id, topic) for every consumer of every registry topic, in registry order."""
    return [(f"hotline-{c}", t.name) for t in ALL_TOPICS for c in t.consumers]


def measure(bootstrap: str, pairs: Sequence[tuple[str, str]]) -> list[TopicLag]:
    """Committed offsets are read before end offsets, so a lag is never under-reported.

    One short-lived consumer per group; it never subscribes, so it never joins the group.
    """
    topics_of: dict[str, list[str]] = {}
    for group, topic in pairs:
        topics_of.setdefault(group, []).append(topic)
    found: dict[tuple[str, str], TopicLag] = {}
    for group, topics in topics_of.items():
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        try:
            for topic in topics:
                partitions = consumer.partitions_for_topic(topic) or set()
                tps = [TopicPartition(topic, p) for p in sorted(partitions)]
                starts = consumer.beginning_offsets(tps) if tps else {}
                committed = {tp: max(consumer.committed(tp) or 0, starts[tp]) for tp in tps}
                ends = consumer.end_offsets(tps) if tps else {}
                lag = sum(max(ends[tp] - committed[tp], 0) for tp in tps)
                found[(group, topic)] = TopicLag(
                    group, topic, sum(ends.values()), sum(committed.values()), lag
                )
        finally:
            consumer.close()
    return [found[pair] for pair in pairs]


def wait_for_zero(
    probe: Callable[[], list[TopicLag]],
    timeout_s: float,
    interval_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, list[TopicLag]]:
    """Poll until every lag is zero twice in a row (a commit can trail its output briefly)."""
    deadline = clock() + timeout_s
    zeros = 0
    while True:
        lags = probe()
        zeros = zeros + 1 if all(x.lag == 0 for x in lags) else 0
        if zeros >= 2:
            return True, lags
        if clock() >= deadline:
            return False, lags
        sleep(interval_s)
