"""`hotline topics`: create the pipeline's topics from the registry (with their retention, also
brought up to date on topics that exist), list them, or show (and wait for) the consumer
groups' lag on them."""

from __future__ import annotations

import argparse
import sys

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

from hotline_cli.lag import measure, pipeline_groups, wait_for_zero
from hotline_cli.settings import Settings
from hotline_schemas.config import Retention
from hotline_schemas.topics import ALL_TOPICS, Topic, kafka_configs, retention_days


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "topics", help="create (idempotently) or list the pipeline's topics, or show their lag"
    )
    parser.add_argument("action", choices=["create", "list", "lag"])
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="lag: wait until every group has caught up (exit 1 if not within SECONDS)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.action == "list":
        for topic in ALL_TOPICS:
            sys.stdout.write(
                f"{topic.name:36} key={topic.key:22} partitions={topic.partitions} "
                f"model={topic.model.__name__} dlq={topic.dead_letter or '-'} "
                f"retention={retention_days(topic, settings.retention):g}d\n"
            )
        return 0
    if args.action == "lag":
        return _lag(settings.kafka.bootstrap_servers, args.wait)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        for topic in ALL_TOPICS:
            days = f"{retention_days(topic, settings.retention):g} days"
            if topic.name not in existing and _create(
                admin, topic, args.replication_factor, settings.retention
            ):
                sys.stdout.write(f"created {topic.name} ({topic.partitions} partitions, {days})\n")
                continue
            changed = _update_retention(admin, topic, settings.retention)
            sys.stdout.write(f"exists  {topic.name} ({days}{', updated' if changed else ''})\n")
    finally:
        admin.close()
    return 0


def _create(
    admin: KafkaAdminClient, topic: Topic, replication_factor: int, retention: Retention
) -> bool:
    """Create one topic with its retention configs; False if it exists already.

    `topic_configs` by name: NewTopic's fourth positional parameter is the replica
    assignment, and configs passed there made every create on a fresh broker fail
    (struct.error), so `make run` and the fault suite could not start from an empty Kafka."""
    new = NewTopic(
        topic.name,
        topic.partitions,
        replication_factor,
        topic_configs=kafka_configs(topic, retention),
    )
    try:
        admin.create_topics([new])
    except TopicAlreadyExistsError:
        return False
    return True


def _update_retention(admin: KafkaAdminClient, topic: Topic, retention: Retention) -> bool:
    """Bring an existing topic's retention configs to the declared ones; True if changed."""
    wanted = kafka_configs(topic, retention)
    described = admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic.name, configs=list(wanted))],
        config_filter="all",
    )
    current = described["topic"][topic.name]
    if all(current.get(k, {}).get("value") == v for k, v in wanted.items()):
        return False
    admin.alter_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic.name, configs=wanted)], incremental=True
    )
    return True


def _lag(bootstrap: str, wait_s: float | None) -> int:
    pairs = pipeline_groups()
    if wait_s is None:
        caught_up, lags = False, measure(bootstrap, pairs)
    else:
        caught_up, lags = wait_for_zero(lambda: measure(bootstrap, pairs), wait_s)
    for x in lags:
        sys.stdout.write(
            f"{x.group:16} {x.topic:32} end={x.end:<8} committed={x.committed:<8} lag={x.lag}\n"
        )
    if wait_s is not None and not caught_up:
        sys.stderr.write(f"hotline topics lag: still behind after {wait_s:g} s\n")
        return 1
    return 0
