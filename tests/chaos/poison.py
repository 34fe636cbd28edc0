"""Issue 9's poison inputs, and where each must end up.

Through ingest (signed, as the provider would send them): every one must be refused with a
4xx; the items ingest parsed and refused (422) must also be dead letters on the raw topic's
dead-letter topic. A body mixing a good event and a poison item is a 422 whose good event is
accepted (and then compared with ClickHouse like any other).

Straight onto the topics (as an older ingest, a replay tool or a bug upstream would put them
there): enrich must dead-letter what it cannot process and go on with the events behind it
(the year-9999 event used to crash enrich on every restart: the pipeline stopped for good);
the sink must dead-letter what it cannot decode or ClickHouse refuses.

Every poison item carries a marker (letters only: digit runs are masked in dead letters) that
must never appear in ClickHouse, and must appear in a dead letter of the expected stage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from kafka import KafkaConsumer, KafkaProducer

from hotline_schemas import DeadLetter, topics
from hotline_schemas.privacy import KeyRing, unseal
from hotline_simulator.signing import Signer, WebhookAuth

MARK = "poisonpill"


def _event(marker: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "schema_version": 1,
        "event_id": f"{MARK}-{marker}",
        "call_id": f"{MARK}-{marker}-call",
        "type": "offered",
        "occurred_at": "2013-03-04T18:45:00+01:00",
        "line": "+4570200000",
    }
    return {**event, **changes}


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


@dataclass(frozen=True)
class Post:
    """One request to ingest and the answer it must get."""

    marker: str
    body: bytes
    content_type: str
    status: int
    dead_letter: bool  # ingest parsed the item and must have dead-lettered it


NDJSON = "application/x-ndjson"
JSON = "application/json"


def _nested(marker: str) -> bytes:
    """An object with an array nested 300 deep: more than any stage should have to parse."""
    return b'{"event_id": "%s-%s", "x": %s%s}' % (
        MARK.encode(),
        marker.encode(),
        b"[" * 300,
        b"]" * 300,
    )


def _nul_byte(marker: str) -> bytes:
    """A raw NUL byte inside a JSON string (invalid JSON: control characters must be escaped)."""
    return _json(_event(marker)).replace(b'"offered"', b'"off\x00ered"')


def _duplicate_key(marker: str) -> bytes:
    """`type` twice: a parser keeping the last value would silently change the event."""
    return _json(_event(marker)).replace(
        b'"type": "offered"', b'"type": "ended", "type": "offered"'
    )


YEAR_MAX = "9999-12-31T23:59:59Z"
YEAR_MIN = "0001-01-01T00:00:00+14:00"
UNIX_TIME = 1362419100


def posts() -> list[Post]:
    return [
        Post("yearmax", _json(_event("yearmax", occurred_at=YEAR_MAX)), JSON, 422, True),
        Post("yearmin", _json(_event("yearmin", occurred_at=YEAR_MIN)), JSON, 422, True),
        Post("nested", _nested("nested"), JSON, 400, False),
        Post("nulbyte", _nul_byte("nulbyte"), JSON, 400, False),
        Post("nulchar", _json(_event("nulchar", caller_postcode="80\x0000")), JSON, 422, True),
        Post("duplicatekeys", _duplicate_key("duplicatekeys"), JSON, 422, True),
        Post("versiontrue", _json(_event("versiontrue", schema_version=True)), JSON, 422, True),
        Post("integertime", _json(_event("integertime", occurred_at=UNIX_TIME)), JSON, 422, True),
        Post("contenttype", _json(_event("contenttype")), "text/plain", 415, False),
    ]


def mixed(good: dict[str, Any]) -> Post:
    """A good event and a year-9999 one in one NDJSON body: 422, the good one accepted."""
    bad = _event("mixedyearmax", occurred_at=YEAR_MAX)
    return Post("mixedyearmax", _json(good) + b"\n" + _json(bad), NDJSON, 422, True)


def raw_messages() -> dict[str, bytes]:
    """Onto the raw topic, past ingest's checks: enrich must dead-letter each."""
    return {
        "rawyearmax": _json(_event("rawyearmax", occurred_at=YEAR_MAX)),
        "rawyearmin": _json(_event("rawyearmin", occurred_at=YEAR_MIN)),
        "rawintegertime": _json(_event("rawintegertime", occurred_at=UNIX_TIME)),
        "rawversiontrue": _json(_event("rawversiontrue", schema_version=True)),
        "rawnested": _nested("rawnested"),
        "rawnulbyte": _nul_byte("rawnulbyte"),
        "rawnotjson": MARK.encode() + b"-rawnotjson {{{",
    }


def enriched_messages() -> dict[str, bytes]:
    """Onto the enriched topic: the sink must dead-letter each and store the rest."""
    storable = {
        "event_id": f"{MARK}-sinkoverflow", "call_id": f"{MARK}-sinkoverflow-call",
        "type": "offered", "occurred_at": "2013-03-04T17:45:00Z", "line": "+4570200000",
        "caller_key": None, "caller_postcode": "8000", "postcode_known": True,
        # A valid EnrichedEvent whose municipality code does not fit the UInt16 column:
        # ClickHouse (the driver) refuses the row, and only that row.
        "municipality_code": 70000, "municipality_name": "Nowhere",
        "municipality_candidates": [], "municipality_ambiguous": False, "in_catchment": False,
        "ivr_choice": None, "wrap_up_code": None, "agent_id": None, "queue": None,
        "topic": "unknown", "topic_source": "none", "in_scope": False, "within_hours": True,
        "enriched_at": "2013-03-04T17:45:01Z",
    }  # fmt: skip
    return {
        "sinknotjson": MARK.encode() + b"-sinknotjson \x00{",
        "sinkoverflow": _json(storable),
    }


def record_messages() -> dict[str, bytes]:
    return {"recordnotjson": MARK.encode() + b"-recordnotjson ]]"}


def post_all(url: str, secret: str, items: list[Post]) -> dict[str, httpx.Response]:
    auth = WebhookAuth(Signer(secret))
    with httpx.Client(timeout=30, trust_env=False, auth=auth) as client:
        return {
            p.marker: client.post(
                url.rstrip("/") + "/v1/events",
                content=p.body,
                headers={"Content-Type": p.content_type},
            )
            for p in items
        }


def produce(bootstrap: str, topic: str, messages: dict[str, bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for marker, value in messages.items():
            producer.send(topic, key=f"{MARK}-{marker}".encode(), value=value)
        producer.flush(timeout=30)
    finally:
        producer.close()


@dataclass(frozen=True)
class Letter:
    topic: str
    stage: str
    redacted: str
    original: bytes


def dead_letters(bootstrap: str, keys: str) -> list[Letter]:
    """Every dead letter on the dead-letter topics, with its sealed original unsealed."""
    ring = KeyRing.parse(keys)
    names = [t.name for t in topics.ALL_TOPICS if t.name.endswith(".dlq")]
    consumer = KafkaConsumer(
        *names,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=5000,
    )
    try:
        found = []
        for message in consumer:
            letter = DeadLetter.model_validate_json(message.value)
            found.append(Letter(message.topic, letter.stage, letter.payload, unseal(letter, ring)))
        return found
    finally:
        consumer.close()


def find(letters: list[Letter], marker: str) -> list[Letter]:
    needle = f"{MARK}-{marker}"
    return [x for x in letters if needle in x.redacted and needle.encode() in x.original]


def now() -> datetime:
    return datetime.now(UTC)
