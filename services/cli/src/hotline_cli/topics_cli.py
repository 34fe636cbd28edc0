"""`hotline topics`: create the pipeline's topics from the registry, or list them."""

from __future__ import annotations

import argparse
import sys

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from hotline_cli.settings import Settings
from hotline_schemas.topics import ALL_TOPICS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("topics", help="create (idempotently) or list the pipeline's topics")
    parser.add_argument("action", choices=["create", "list"])
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.action == "list":
        for topic in ALL_TOPICS:
            sys.stdout.write(
                f"{topic.name:36} key={topic.key:22} partitions={topic.partitions} "
                f"model={topic.model.__name__} dlq={topic.dead_letter or '-'}\n"
            )
        return 0
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        for topic in ALL_TOPICS:
            if topic.name in existing:
                sys.stdout.write(f"exists  {topic.name}\n")
                continue
            try:
                admin.create_topics(
                    [NewTopic(topic.name, topic.partitions, args.replication_factor)]
                )
                sys.stdout.write(f"created {topic.name} ({topic.partitions} partitions)\n")
            except TopicAlreadyExistsError:
                sys.stdout.write(f"exists  {topic.name}\n")
    finally:
        admin.close()
    return 0
