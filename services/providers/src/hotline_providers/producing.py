"""Events and dead letters onto Kafka: call events keyed by call_id to the raw topic, agent
events keyed by agent_id to the agent topic, dead letters to the dead-letter topic.

kafka-python with acks=all and the idempotent producer (no duplicates from its own retries),
batched (linger, batch size). `flush()` waits until Kafka has acknowledged everything sent so
far and raises if anything failed: callers save their checkpoint only after it returned.
"""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from hotline_providers.model import Event
from hotline_providers.settings import Targets
from hotline_schemas import AgentEvent, DeadLetter

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """Kafka did not acknowledge something that was sent."""


class MissingTopicsError(RuntimeError):
    """A target topic does not exist: producing would create it with a broker's defaults
    (where auto-creation is on) under a possibly mistyped name."""


def require_topics(bootstrap_servers: str, names: list[str]) -> None:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, request_timeout_ms=30_000
    )
    try:
        existing = consumer.topics()
    finally:
        consumer.close()
    missing = sorted(set(names) - existing)
    if missing:
        raise MissingTopicsError(
            f"topics {missing} do not exist; create them with `hotline topics create`"
        )


class EventProducer:
    def __init__(self, producer: Any, targets: Targets) -> None:
        self._producer = producer
        self._targets = targets
        self._pending: list[FutureRecordMetadata] = []

    @classmethod
    def connect(cls, bootstrap_servers: str, targets: Targets, client_id: str) -> EventProducer:
        topics = [targets.raw_topic, targets.agent_topic, targets.dead_letter_topic]
        require_topics(bootstrap_servers, topics)
        producer = KafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=targets.linger_ms,
            batch_size=targets.batch_size_bytes,
            # Bounded waits: an import against a broker that is gone fails, it does not hang.
            request_timeout_ms=30_000,
            max_block_ms=60_000,
        )
        return cls(producer, targets)

    def send(self, event: Event) -> None:
        if isinstance(event, AgentEvent):
            topic, key = self._targets.agent_topic, event.agent_id
        else:
            topic, key = self._targets.raw_topic, event.call_id
        value = event.model_dump_json().encode()
        self._pending.append(self._producer.send(topic, key=key.encode(), value=value))

    def send_dead_letter(self, letter: DeadLetter) -> None:
        value = letter.model_dump_json().encode()
        topic = self._targets.dead_letter_topic
        self._pending.append(self._producer.send(topic, key=None, value=value))

    @property
    def unacknowledged(self) -> int:
        return len(self._pending)

    def flush(self, timeout_s: float = 60.0) -> int:
        """Wait for every acknowledgement; the number of records acknowledged."""
        pending, self._pending = self._pending, []
        self._producer.flush(timeout=timeout_s)
        for future in pending:
            try:
                future.get(timeout=timeout_s)
            except Exception as exc:  # kafka-python raises its own error types
                raise DeliveryError(f"Kafka did not acknowledge a record: {exc!r}") from exc
        return len(pending)

    def close(self, timeout_s: float = 10.0) -> None:
        self._producer.close(timeout=timeout_s)
