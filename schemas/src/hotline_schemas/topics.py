"""Topic registry: every Kafka topic of the pipeline is declared here, once.

A topic's dead-letter topic holds what could not be written to it or consumed from it,
each record a `DeadLetter` with the reason, the redacted payload and the sealed original.

Each topic declares how long Kafka keeps its records (`retention_days`, counted from when the
record was written); `hotline topics create` applies it, overridden per topic by
`HOTLINE_RETENTION__TOPIC_DAYS`. The raw topic holds caller numbers in clear: days, not more.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from hotline_schemas.config import DEFAULT_TABLE_DAYS, Retention
from hotline_schemas.events import AgentEvent, CallEvent, DeadLetter, EnrichedEvent
from hotline_schemas.records import CallRecord

DAY_MS = 86_400_000
# Long enough to replay into ClickHouse after an outage over a long weekend and then some.
TRANSPORT_DAYS = 14.0
# Caller numbers in clear: a week covers a weekend's outage and a replay, and no more.
RAW_DAYS = 7.0


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    partitions: int
    model: type[BaseModel]
    producer: str
    consumers: tuple[str, ...]
    description: str
    dead_letter: str | None = None
    retention_days: float = TRANSPORT_DAYS


RAW = Topic(
    name="hotline.call-events.raw",
    key="call_id",
    partitions=3,
    model=CallEvent,
    producer="ingest",
    consumers=("enrich",),
    description="Call events as the provider sent them, validated against CallEvent v1 or v2.",
    dead_letter="hotline.call-events.raw.dlq",
    retention_days=RAW_DAYS,
)
ENRICHED = Topic(
    name="hotline.call-events.enriched",
    key="call_id",
    partitions=3,
    model=EnrichedEvent,
    producer="enrich",
    consumers=("sink",),
    description="Call events with municipality, topic, opening hours and caller pseudonym.",
    dead_letter="hotline.call-events.enriched.dlq",
)
RECORDS = Topic(
    name="hotline.call-records",
    key="call_id",
    partitions=3,
    model=CallRecord,
    producer="enrich",
    consumers=("sink",),
    description="One record per finished call, built from the call's events.",
    dead_letter="hotline.call-records.dlq",
)
AGENT_EVENTS = Topic(
    name="hotline.agent-events",
    key="agent_id",
    partitions=3,
    model=AgentEvent,
    producer="ingest, import",
    consumers=("sink",),
    description="Agents logging in and out, pausing, ringing without answer, in wrap-up.",
    dead_letter="hotline.agent-events.dlq",
)


def _dead_letter_topic(of: Topic) -> Topic:
    assert of.dead_letter is not None
    return Topic(
        name=of.dead_letter,
        key=f"{of.key} (when known)",
        partitions=1,
        model=DeadLetter,
        producer="ingest, enrich, sink, import",
        consumers=(),
        description=f"Rejected records for {of.name}: reason, redacted and sealed payload.",
        # Kept like the tables, so what was rejected during the pilot can still be replayed
        # into its evaluation; the originals are sealed (docs/privacy.md).
        retention_days=float(DEFAULT_TABLE_DAYS),
    )


DATA_TOPICS: tuple[Topic, ...] = (RAW, ENRICHED, RECORDS, AGENT_EVENTS)
ALL_TOPICS: tuple[Topic, ...] = DATA_TOPICS + tuple(_dead_letter_topic(t) for t in DATA_TOPICS)


def by_name(name: str) -> Topic:
    for topic in ALL_TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(name)


def retention_days(topic: Topic, retention: Retention) -> float:
    return retention.topic_days.get(topic.name, topic.retention_days)


def kafka_configs(topic: Topic, retention: Retention) -> dict[str, str]:
    """The topic configs `hotline topics create` sets. Kafka deletes whole segments, each once
    its newest record is older than retention.ms: segments of a seventh of the retention (an
    hour to a week) keep a record at most that much longer than its retention."""
    retention_ms = max(1, round(retention_days(topic, retention) * DAY_MS))
    segment_ms = min(max(retention_ms // 7, DAY_MS // 24), 7 * DAY_MS)
    return {"retention.ms": str(retention_ms), "segment.ms": str(segment_ms)}
