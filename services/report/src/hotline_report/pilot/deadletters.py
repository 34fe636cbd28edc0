"""Read the dead-letter topics from Kafka for the data-quality section (I/O).

Each topic is read from its beginning to its end as it was when the read began, with no
consumer group (nothing is committed, no other reader is disturbed). A broker that cannot be
reached, a missing topic or a read that runs out of time makes the whole count "not
available" with the reason: the document never shows a partial count as if it were whole.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from datetime import date

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from hotline_report.pilot.quality import DeadLetterCount, DeadLetters, count_letters

__all__ = ["read_dead_letters"]


def _records(consumer: KafkaConsumer, topic: str, deadline: float) -> list[bytes | None]:
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise LookupError(f"topic {topic} does not exist")
    assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    consumer.seek_to_beginning(*assigned)
    ends = consumer.end_offsets(assigned)
    out: list[bytes | None] = []
    left = {tp for tp in assigned if ends[tp] > consumer.position(tp)}
    while left:
        if time.monotonic() > deadline:
            raise TimeoutError(f"reading {topic} took longer than allowed")
        for tp, messages in consumer.poll(timeout_ms=500).items():
            out.extend(m.value for m in messages if m.offset < ends[tp])
        left = {tp for tp in left if consumer.position(tp) < ends[tp]}
    return out


def _reachable(bootstrap_servers: str, timeout_s: float) -> bool:
    """Whether any bootstrap server accepts a TCP connection. Checked first because
    kafka-python leaves its sockets open when it cannot bootstrap."""
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "localhost", int(port)), timeout=timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False


def _reason(exc: BaseException) -> str:
    name, text = type(exc).__name__, " ".join(str(exc).split())[:200]
    if not text or text.startswith(name):
        return text or name
    return f"{name}: {text}"


def read_dead_letters(
    bootstrap_servers: str,
    topics: Sequence[str],
    first: date,
    last: date,
    *,
    timeout_s: float,
    client_id: str = "hotline-pilot-report",
) -> DeadLetters:
    """Count the dead letters of every topic, or say why they are not available."""
    deadline = time.monotonic() + timeout_s
    wait_ms = max(1000, int(timeout_s * 1000))
    if not _reachable(bootstrap_servers, min(timeout_s, 5.0)):
        return DeadLetters(False, f"no Kafka broker answers at {bootstrap_servers}", [])
    try:
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            group_id=None,
            enable_auto_commit=False,
            # An unreachable broker answers "not available" within the time allowed.
            bootstrap_timeout_ms=wait_ms,
            request_timeout_ms=wait_ms,
        )
    except (KafkaError, OSError, ValueError) as exc:
        return DeadLetters(False, f"Kafka at {bootstrap_servers}: {_reason(exc)}", [])
    try:
        counts: list[DeadLetterCount] = []
        for topic in topics:
            counts.append(count_letters(topic, _records(consumer, topic, deadline), first, last))
        return DeadLetters(True, "", counts)
    except (KafkaError, OSError, LookupError, TimeoutError) as exc:
        return DeadLetters(False, f"Kafka at {bootstrap_servers}: {_reason(exc)}", [])
    finally:
        consumer.close()
