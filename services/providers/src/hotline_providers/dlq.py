"""Dead letters: read them back, and send those that now pass to where they failed.

Where a dead letter goes back to:

- stage `import` (a provider record `hotline import`/`follow` rejected): converted again with
  its format (`source_format`; a cdr-csv letter needs the mapping), its call events to the raw
  topic, its agent events to the agent topic: after a mapping change or an adapter fix;
- stage `enrich` / `sink` (a message they could not process): back to `source_topic`, the topic
  it was read from, after validating it against that topic's model;
- stage `ingest` (an item ingest refused): to the dead-letter topic's home topic (the registry
  topic whose dead-letter topic it is, e.g. the raw topic), after validating it.

A replay is idempotent: the events it sends carry their original (or deterministic) event ids,
so replaying the same letters twice adds nothing to FINAL results.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from pydantic import BaseModel, ValidationError

from hotline_providers import formats
from hotline_providers.dead_letters import original_payload
from hotline_providers.model import Event
from hotline_providers.settings import ProviderSettings, Targets
from hotline_schemas import (
    AgentEvent,
    CallRecord,
    DeadLetter,
    EnrichedEvent,
    Origin,
    parse_call_event,
    topics,
)
from hotline_schemas.privacy import KeyRing, UnsealError
from hotline_schemas.validation import reason as validation_reason

_RELATIVE = re.compile(r"^(?P<n>\d+)(?P<unit>[smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str, now: datetime) -> datetime:
    """`30m`, `2h`, `7d` before now, or an ISO date/time (UTC when it has no offset)."""
    match = _RELATIVE.match(text.strip())
    if match:
        return now - timedelta(**{_UNITS[match["unit"]]: int(match["n"])})
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Letter:
    partition: int
    offset: int
    letter: DeadLetter | None  # None: not a DeadLetter at all
    raw: bytes


def read(bootstrap_servers: str, topic: str) -> Iterator[Letter]:
    """Every record of `topic` up to its end when the read began (no consumer group)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None
    )
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise LookupError(f"topic {topic} does not exist")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        left = {tp for tp in assigned if ends[tp] > consumer.position(tp)}
        while left:
            for tp, messages in consumer.poll(timeout_ms=1000).items():
                for message in messages:
                    if message.offset >= ends[tp]:
                        continue
                    try:
                        letter: DeadLetter | None = DeadLetter.model_validate_json(message.value)
                    except ValidationError:
                        letter = None
                    yield Letter(tp.partition, message.offset, letter, message.value or b"")
            left = {tp for tp in left if consumer.position(tp) < ends[tp]}
    finally:
        consumer.close()


@dataclass(frozen=True)
class Replay:
    """What one dead letter becomes now: messages to send, or why it still fails."""

    messages: tuple[tuple[str, str, bytes], ...] = ()  # (topic, key, value)
    failure: str | None = None
    skipped: str | None = None


def home_topic(dead_letter_topic: str) -> str | None:
    for topic in topics.DATA_TOPICS:
        if topic.dead_letter == dead_letter_topic:
            return topic.name
    return None


class Replayer:
    def __init__(
        self,
        targets: Targets,
        provider: ProviderSettings,
        *,
        home: str | None,
        mapping: Path | None = None,
        keys: KeyRing | None = None,
    ) -> None:
        self.targets, self.provider, self.home, self.mapping = targets, provider, home, mapping
        self.keys = keys

    def replay(self, letter: DeadLetter) -> Replay:
        try:
            payload = original_payload(letter, self.keys)
        except UnsealError as exc:
            return Replay(failure=f"cannot unseal: {exc}")
        if letter.stage == "import":
            return self._convert_again(letter, payload)
        destination = letter.source_topic or self.home
        if destination is None:
            return Replay(failure="no destination: pass --to TOPIC")
        return self._validate(destination, payload)

    def _convert_again(self, letter: DeadLetter, payload: str) -> Replay:
        name = letter.source_format
        if name is None:
            return Replay(failure="import letter without source_format")
        try:
            fmt = formats.resolve(name, self.mapping if name == formats.CDR_CSV else None)
        except formats.FormatError as exc:
            return Replay(failure=str(exc))
        adapter = fmt.adapter(self.provider, Origin.IMPORT)
        lines = payload.split("\n", 1) if name == formats.CDR_CSV else [payload]
        result = None
        for n, text in enumerate(lines, start=1):
            result = adapter.convert(n, text)
        assert result is not None
        if result.rejected is not None:
            return Replay(failure=result.rejected.reason)
        if result.skipped is not None:
            return Replay(skipped=result.skipped)
        return Replay(messages=tuple(self._message(e) for e in result.events))

    def _message(self, event: Event) -> tuple[str, str, bytes]:
        if isinstance(event, AgentEvent):
            return self.targets.agent_topic, event.agent_id, event.model_dump_json().encode()
        return self.targets.raw_topic, event.call_id, event.model_dump_json().encode()

    def _validate(self, destination: str, payload: str) -> Replay:
        kind = self._kind(destination)
        if kind is None:
            return Replay(failure=f"cannot tell what {destination} carries; pass --to TOPIC")
        try:
            model: BaseModel = (
                parse_call_event(payload)
                if kind == "call"
                else _MODELS[kind].model_validate_json(payload)
            )
        except ValidationError as exc:
            return Replay(failure=validation_reason(exc))
        key = getattr(model, "agent_id" if kind == "agent" else "call_id")
        return Replay(messages=((destination, str(key), payload.encode()),))

    def _kind(self, destination: str) -> str | None:
        if destination in {self.targets.raw_topic, topics.RAW.name}:
            return "call"
        if destination in {self.targets.agent_topic, topics.AGENT_EVENTS.name}:
            return "agent"
        if destination == topics.ENRICHED.name:
            return "enriched"
        if destination == topics.RECORDS.name:
            return "record"
        return None


_MODELS: dict[str, type[BaseModel]] = {
    "agent": AgentEvent,
    "enriched": EnrichedEvent,
    "record": CallRecord,
}


def describe(letter: Letter) -> dict[str, Any]:
    """One dead letter for `dlq list`: where it came from and why, never its payload (the
    payload may hold a caller's number)."""
    if letter.letter is None:
        return {"partition": letter.partition, "offset": letter.offset, "unreadable": True}
    d = letter.letter
    return {
        "partition": letter.partition,
        "offset": letter.offset,
        "rejected_at": d.rejected_at.isoformat(),
        "stage": d.stage,
        "source": d.source_format or d.source_topic,
        "reason": d.reason,
    }
