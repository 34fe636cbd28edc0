"""`hotline topics create` on the real broker: a topic that does not exist yet is created
with its partitions and retention configs (this failed on every fresh broker: the configs
went into NewTopic's replica-assignment parameter and the request could not be encoded)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from hotline_cli.topics_cli import _create
from hotline_schemas import topics
from hotline_schemas.config import Retention

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(kafka_bootstrap: str) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    yield client
    client.close()


def test_a_missing_topic_is_created_with_its_partitions_and_retention(
    admin: KafkaAdminClient, unique_name: str
) -> None:
    topic = topics.Topic(
        name=f"{unique_name}.raw", key="k", partitions=2, model=topics.RAW.model,
        producer="p", consumers=(), description="d", retention_days=3,
    )  # fmt: skip
    try:
        assert _create(admin, topic, 1, Retention()) is True
        assert _create(admin, topic, 1, Retention()) is False  # exists now: not an error
        (described,) = admin.describe_topics([topic.name])
        assert len(described["partitions"]) == 2
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic.name, configs=["retention.ms"])]
        )
        assert configs["topic"][topic.name]["retention.ms"]["value"] == str(3 * 86_400_000)
    finally:
        admin.delete_topics([topic.name])
