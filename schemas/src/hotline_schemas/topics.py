"""Topic registry: every Kafka topic of the pipeline is declared here, once.

A topic's dead-letter topic holds what could not be written to it or consumed from it,
each record a `DeadLetter` with the reason and the original payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from hotline_schemas.events import AgentEvent, CallEvent, DeadLetter, EnrichedEvent
from hotline_schemas.records import CallRecord


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


RAW = Topic(
    name="hotline.call-events.raw",
    key="call_id",
    partitions=3,
    model=CallEvent,
    producer="ingest",
    consumers=("enrich",),
    description="Call events as the provider sent them, validated against CallEvent v1 or v2.",
    dead_letter="hotline.call-events.raw.dlq",
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
        description=f"Rejected records for {of.name}: reason and original payload.",
    )


DATA_TOPICS: tuple[Topic, ...] = (RAW, ENRICHED, RECORDS, AGENT_EVENTS)
ALL_TOPICS: tuple[Topic, ...] = DATA_TOPICS + tuple(_dead_letter_topic(t) for t in DATA_TOPICS)


def by_name(name: str) -> Topic:
    for topic in ALL_TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(name)
