"""Thin adapter over kafka-python: send a request's records and dead letters, wait for acks.

kafka-python is blocking; callers run these methods in a worker thread.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError

from hotline_ingest.dead_letters import KeyedDeadLetter
from hotline_ingest.settings import Settings

log = logging.getLogger(__name__)


class KafkaUnavailableError(Exception):
    """Kafka did not take (or acknowledge) the records in time; the caller should retry."""


@dataclass(frozen=True)
class Destination:
    """Where one kind of item goes: its topic, and the dead-letter topic for its rejects."""

    topic: str
    dead_letter_topic: str


@dataclass(frozen=True)
class Record:
    key: bytes
    value: bytes


class EventProducer(Protocol):
    def send_all(
        self,
        destination: Destination,
        records: Sequence[Record],
        dead_letters: Sequence[KeyedDeadLetter],
    ) -> None:
        """Return only when Kafka acknowledged every record; else raise KafkaUnavailableError."""

    def ping(self) -> None:
        """One metadata round trip to the cluster; raise KafkaUnavailableError if it fails."""

    def close(self) -> None: ...


class KafkaEventProducer:
    """Records to a destination's topic, rejects to its dead-letter topic, acks=all."""

    def __init__(self, settings: Settings) -> None:
        self._timeout = settings.produce_timeout_seconds
        timeout_ms = int(settings.produce_timeout_seconds * 1000)
        servers = [s.strip() for s in settings.kafka.bootstrap_servers.split(",") if s.strip()]
        # kafka-python 3.0.12 leaks a socket on every refused connect (kafka/net/inet.py never
        # closes it), so while Kafka is down a plain TCP probe answers first. Reachable is not
        # ready: the producer's own bootstrap and `ping` still need a metadata round trip.
        if not any(_accepts_tcp(s, settings.connect_timeout_seconds) for s in servers):
            raise KafkaUnavailableError(f"no Kafka broker accepts connections at {servers}")
        self._client: dict[str, Any] = {
            "bootstrap_servers": servers,
            "client_id": f"{settings.kafka.client_id_prefix}-ingest",
            "bootstrap_timeout_ms": int(settings.connect_timeout_seconds * 1000),
            "request_timeout_ms": timeout_ms,
        }
        try:
            self._producer = KafkaProducer(
                acks="all",
                # Not idempotent: kafka-python 3.0.12 wedges an idempotent producer for good
                # once a batch it had sent expires (the broker was down longer than the
                # delivery timeout): reset_producer_id() clears the producer id but leaves
                # the transaction manager READY, so init_producer_id() never runs again and
                # the sender holds every later record without an error. Found by the fault
                # suite (broker kill -9: ingest answered 503 for ten minutes after Kafka came
                # back). Without idempotence a retried batch may be written twice or out of
                # order: harmless, storage deduplicates on event_id and call records do not
                # depend on arrival order.
                enable_idempotence=False,
                linger_ms=settings.linger_ms,
                # Bound every wait by the produce timeout, so a request fails over to 503
                # instead of hanging; records still queued then expire soon after.
                max_block_ms=timeout_ms,
                delivery_timeout_ms=timeout_ms + settings.linger_ms,
                **self._client,
            )
        except KafkaError as exc:
            raise KafkaUnavailableError(f"cannot connect to Kafka: {exc!r}") from exc
        self._admin: KafkaAdminClient | None = None

    def send_all(
        self,
        destination: Destination,
        records: Sequence[Record],
        dead_letters: Sequence[KeyedDeadLetter],
    ) -> None:
        deadline = time.monotonic() + self._timeout
        try:
            futures = [
                self._producer.send(destination.topic, value=record.value, key=record.key)
                for record in records
            ]
            futures.extend(
                self._producer.send(
                    destination.dead_letter_topic,
                    value=letter.record.model_dump_json().encode(),
                    key=letter.key.encode() if letter.key is not None else None,
                )
                for letter in dead_letters
            )
            for future in futures:
                future.get(timeout=max(deadline - time.monotonic(), 0.001))
        except KafkaError as exc:
            raise KafkaUnavailableError(f"Kafka did not acknowledge the records: {exc!r}") from exc

    def ping(self) -> None:
        try:
            if self._admin is None:
                self._admin = KafkaAdminClient(**self._client)
            self._admin.describe_cluster()
        except KafkaError as exc:
            self._close_admin()
            raise KafkaUnavailableError(f"Kafka metadata round trip failed: {exc!r}") from exc

    def close(self) -> None:
        self._close_admin()
        self._producer.close(timeout=self._timeout)

    def _close_admin(self) -> None:
        if self._admin is not None:
            admin, self._admin = self._admin, None
            try:
                admin.close()
            except KafkaError:
                log.debug("closing the admin client failed", exc_info=True)


def _accepts_tcp(server: str, timeout: float) -> bool:
    host, _, port = server.rpartition(":")
    if not host or not port.isdigit():
        host, port = server, "9092"
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except OSError:
        return False
