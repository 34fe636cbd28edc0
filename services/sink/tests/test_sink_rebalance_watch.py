"""The stuck-rebalance watch: how long partitions have been revoked without a new assignment."""

from __future__ import annotations

from kafka import TopicPartition

from hotline_sink.consumer import _Listener


def test_revoked_without_assignment_counts_up_until_partitions_are_assigned() -> None:
    now = [100.0]
    listener = _Listener(lambda: now[0])
    assert listener.rebalancing_for(now[0]) == 0.0

    listener.on_partitions_revoked([TopicPartition("t", 0)])
    now[0] = 131.0
    assert listener.rebalancing_for(now[0]) == 31.0

    listener.on_partitions_assigned([TopicPartition("t", 0)])
    assert listener.rebalancing_for(now[0]) == 0.0
    assert listener.take() == {("t", 0)}
