"""Settings of the sink, from environment variables.

Options of this service are `HOTLINE_SINK_<FIELD>` (e.g.
`HOTLINE_SINK_TOPICS='["hotline.call-events.enriched"]'`, `HOTLINE_SINK_RECORD_TOPICS`,
`HOTLINE_SINK_AGENT_TOPICS`, `HOTLINE_SINK_GROUP_ID`,
`HOTLINE_SINK_BATCH_MAX_ROWS`, `HOTLINE_SINK_METRICS_PORT`); connections are shared by every
service: `HOTLINE_KAFKA__BOOTSTRAP_SERVERS`, `HOTLINE_CLICKHOUSE__HOST`,
`HOTLINE_CLICKHOUSE__DATABASE`, `HOTLINE_CLICKHOUSE__USER` / `__PASSWORD` (the writer),
`HOTLINE_DEAD_LETTER_KEYS`.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas import topics
from hotline_schemas.config import ClickHouseConnection, KafkaConnection
from hotline_sink.routes import AGENTS, EVENTS, RECORDS, Route

# A module name: inside the class body `topics` is the field below.
_RECORDS_TOPIC = topics.RECORDS.name
_AGENTS_TOPIC = topics.AGENT_EVENTS.name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_SINK_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    clickhouse: ClickHouseConnection = Field(
        default=ClickHouseConnection(), validation_alias="HOTLINE_CLICKHOUSE"
    )

    # Topics to read. Those named in `record_topics` carry CallRecords (-> call_records), those
    # in `agent_topics` AgentEvents (-> agent_events); every other one carries EnrichedEvents
    # (-> call_events).
    topics: tuple[str, ...] = Field(
        default=(topics.ENRICHED.name, topics.RECORDS.name, topics.AGENT_EVENTS.name),
        min_length=1,
    )
    record_topics: tuple[str, ...] = (_RECORDS_TOPIC,)
    agent_topics: tuple[str, ...] = (_AGENTS_TOPIC,)
    group_id: str = Field(default="hotline-sink", min_length=1)
    # None: each source topic's own dead-letter topic from the registry.
    dead_letter_topic: str | None = None
    # Seal dead letters for replay (hotline_schemas.privacy): base64 keys, the first seals.
    dead_letter_keys: SecretStr | None = Field(
        default=None, validation_alias="HOTLINE_DEAD_LETTER_KEYS"
    )

    # A batch is inserted at this many rows, or when its first row has waited this long: the
    # age bounds the latency at low rates (an event is queryable within about a second of
    # its occurrence, docs/performance.md); under load the size fills first.
    batch_max_rows: int = Field(default=10_000, gt=0)
    batch_max_age_s: float = Field(default=0.25, gt=0)
    retry_initial_s: float = Field(default=0.5, gt=0)
    retry_max_s: float = Field(default=30.0, gt=0)
    # How long to wait for Kafka to acknowledge one dead letter before sending it again.
    dead_letter_timeout_s: float = Field(default=30.0, gt=0)
    lag_interval_s: float = Field(default=5.0, gt=0)
    # Bounded wait at start-up for the topics to exist; then fail loudly (and be restarted).
    topic_wait_s: float = Field(default=60.0, gt=0)
    # A rebalance that has not assigned partitions after this long is treated as stuck.
    rebalance_stuck_s: float = Field(default=30.0, gt=0)

    # Group membership: a sink killed without leaving is noticed after this long.
    session_timeout_s: float = Field(default=15.0, gt=0)
    heartbeat_interval_s: float = Field(default=3.0, gt=0)

    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9465, ge=0, lt=65536)

    @model_validator(mode="after")
    def _topics_are_writable(self) -> Self:
        for name in self.topics:
            self.dead_letter_for(name)
        return self

    def route_for(self, topic: str) -> Route:
        if topic in self.record_topics:
            return RECORDS
        if topic in self.agent_topics:
            return AGENTS
        return EVENTS

    def dead_letter_for(self, topic: str) -> str:
        if self.dead_letter_topic is not None:
            return self.dead_letter_topic
        try:
            dead_letter = topics.by_name(topic).dead_letter
        except KeyError:
            dead_letter = None
        if dead_letter is None:
            raise ValueError(f"{topic} has no dead-letter topic in the registry; set one")
        return dead_letter
