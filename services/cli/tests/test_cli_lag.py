"""`hotline topics lag`: the lag arithmetic on a real broker, and the wait loop."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.structs import OffsetAndMetadata

from hotline_cli.lag import TopicLag, measure, pipeline_groups, wait_for_zero


def test_pipeline_groups_follow_the_topic_registry() -> None:
    assert pipeline_groups() == [
        ("hotline-enrich", "hotline.call-events.raw"),
        ("hotline-sink", "hotline.call-events.enriched"),
        ("hotline-sink", "hotline.call-records"),
        ("hotline-sink", "hotline.agent-events"),
    ]


def _lags(*values: int) -> list[TopicLag]:
    return [TopicLag("g", f"t{i}", 10, 10 - v, v) for i, v in enumerate(values)]


def test_wait_needs_zero_lag_twice_in_a_row() -> None:
    answers = iter([_lags(3, 0), _lags(0, 0), _lags(0, 1), _lags(0, 0), _lags(0, 0)])
    probes: list[list[TopicLag]] = []

    def probe() -> list[TopicLag]:
        probes.append(next(answers))
        return probes[-1]

    caught_up, last = wait_for_zero(probe, timeout_s=60, sleep=lambda _s: None)
    assert caught_up
    assert last is probes[-1]
    assert len(probes) == 5  # the zero at probe 2 was followed by a lag: not yet


def test_wait_gives_up_at_the_deadline() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    caught_up, last = wait_for_zero(
        lambda: _lags(5), timeout_s=3, interval_s=1, clock=lambda: now[0], sleep=sleep
    )
    assert not caught_up
    assert last[0].lag == 5
    assert now[0] == 3


@pytest.mark.integration
def test_lag_is_end_minus_committed_per_partition(
    kafka_bootstrap: str, make_topics: Callable[..., list[str]], unique_name: str
) -> None:
    (topic,) = make_topics(unique_name, partitions=2)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for partition, count in ((0, 3), (1, 2)):
        for _ in range(count):
            producer.send(topic, b"x", partition=partition)
    producer.flush()
    producer.close()

    (before,) = measure(kafka_bootstrap, [(unique_name, topic)])
    assert (before.end, before.committed, before.lag) == (5, 0, 5)  # nothing committed yet

    committer = KafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=unique_name, enable_auto_commit=False
    )
    committer.assign([TopicPartition(topic, 0), TopicPartition(topic, 1)])
    committer.commit(
        {
            TopicPartition(topic, 0): OffsetAndMetadata(1, "", -1),
            TopicPartition(topic, 1): OffsetAndMetadata(2, "", -1),
        }
    )
    committer.close()

    (after,) = measure(kafka_bootstrap, [(unique_name, topic)])
    assert (after.end, after.committed, after.lag) == (5, 3, 2)


@pytest.mark.integration
def test_records_before_the_log_start_are_no_lag(
    kafka_bootstrap: str, make_topics: Callable[..., list[str]], unique_name: str
) -> None:
    (topic,) = make_topics(unique_name, partitions=2)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for partition, count in ((0, 4), (1, 2)):
        for _ in range(count):
            producer.send(topic, b"x", partition=partition)
    producer.flush()
    producer.close()
    # Retention (or a deletion) removes the first three records of partition 0 before the
    # group ever committed: a consumer starting now can read only the rest.
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.delete_records({TopicPartition(topic, 0): 3})
    finally:
        admin.close()

    (lag,) = measure(kafka_bootstrap, [(unique_name, topic)])
    assert (lag.end, lag.committed, lag.lag) == (6, 3, 3)
