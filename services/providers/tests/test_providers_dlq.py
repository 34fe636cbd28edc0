"""Dead letters back to where they failed (pure parts): what a replay sends, or why not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotline_providers import dlq
from hotline_providers.cdr_mapping import EXAMPLE
from hotline_providers.dead_letters import import_letter, original_payload
from hotline_providers.model import Converted, Rejection
from hotline_providers.settings import ProviderSettings, Targets
from hotline_schemas import DeadLetter, parse_call_event, topics
from hotline_schemas.paths import EXAMPLES_DIR
from hotline_schemas.privacy import KeyRing, new_key

KEYS = KeyRing.parse(new_key())

NOW = datetime(2013, 4, 1, 9, 0, tzinfo=UTC)
SAMPLES = Path(__file__).parent / "samples"
TARGETS = Targets(raw_topic="raw", agent_topic="agents", dead_letter_topic="raw.dlq")


def replayer(home: str | None = "raw", mapping: Path | None = None) -> dlq.Replayer:
    return dlq.Replayer(TARGETS, ProviderSettings(), home=home, mapping=mapping, keys=KEYS)


def letter(payload: str, **fields: object) -> DeadLetter:
    base: dict[str, object] = {
        "stage": "import",
        "reason": "r",
        "payload": payload,
        "rejected_at": NOW,
        "source_format": "asterisk-queue-log",
    }
    return DeadLetter.model_validate({**base, **fields})


def test_an_import_letter_that_now_converts_goes_to_the_raw_and_agent_topics() -> None:
    enter = "1354555820|1354555805.11|hotline|NONE|ENTERQUEUE||86123456|1"
    (message,) = replayer().replay(letter(enter)).messages
    topic, key, value = message
    assert (topic, key) == ("raw", "asterisk:1354555805.11")
    assert parse_call_event(value).type.value == "queued"
    pause = "1354559400|NONE|hotline|agent-02|PAUSE|break"
    assert [m[:2] for m in replayer().replay(letter(pause)).messages] == [("agents", "agent-02")]


def test_a_connect_agent_event_letter_goes_to_the_agent_topic() -> None:
    sample = (SAMPLES / "connect_agent_events.jsonl").read_text(encoding="utf-8").splitlines()
    fmt = {"source_format": "connect-agent-events"}
    replayed = replayer().replay(letter(sample[24], **fmt))  # agent-07's break
    assert [m[:2] for m in replayed.messages] == [("agents", "agent-07")]
    assert replayer().replay(letter(sample[3], **fmt)).skipped == "HEART_BEAT: no change"
    assert replayer().replay(letter(sample[39], **fmt)).failure == "no PreviousAgentSnapshot"


def test_an_import_letter_that_still_fails_says_why() -> None:
    result = replayer().replay(letter("19:41:07|1354557667.52|hotline|NONE|ENTERQUEUE||"))
    assert result.messages == ()
    assert result.failure == "time is not Unix seconds: '19:41:07'"
    assert replayer().replay(letter("1354554000|NONE|NONE|NONE|QUEUESTART|")).skipped


def test_a_cdr_csv_letter_carries_its_header_and_needs_the_mapping() -> None:
    header, row = (SAMPLES / "cdr_export.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    rejected = Converted(2, row, rejected=Rejection("Status: 'X' is not in the mapping"))
    made = import_letter(
        rejected, source_format="cdr-csv", rejected_at=NOW, keys=KEYS, header=header
    )
    assert original_payload(made, KEYS) == f"{header}\n{row}"
    assert "86123456" not in made.payload  # the caller's number is masked for people ...
    assert made.sealed_payload is not None  # ... and sealed for the replay
    assert made.reason.startswith("line 2: ")
    sent = replayer(mapping=EXAMPLE).replay(made).messages
    assert [m[0] for m in sent] == ["raw"] * 4
    assert "needs --mapping" in (replayer().replay(made).failure or "")


def test_a_letter_sealed_with_another_key_cannot_be_replayed() -> None:
    rejected = Converted(7, "1354554000|x|hotline|NONE|ENTERQUEUE||", rejected=Rejection("bad"))
    made = import_letter(rejected, source_format="asterisk-queue-log", rejected_at=NOW, keys=KEYS)
    other = dlq.Replayer(TARGETS, ProviderSettings(), home="raw", keys=KeyRing.parse(new_key()))
    assert (other.replay(made).failure or "").startswith("cannot unseal")
    assert replayer().replay(made).messages


def test_an_ingest_letter_goes_to_the_home_topic_if_it_now_validates() -> None:
    good = (EXAMPLES_DIR / "call-event/valid/answered.json").read_text()
    event = parse_call_event(good)
    (message,) = replayer().replay(letter(good, stage="ingest", source_format=None)).messages
    assert message[:2] == ("raw", event.call_id)
    bad = json.dumps({**json.loads(good), "type": "ringing"})
    failed = replayer().replay(letter(bad, stage="ingest", source_format=None))
    assert failed.failure is not None
    assert failed.failure.startswith("type:")
    orphan = dlq.Replayer(TARGETS, ProviderSettings(), home=None)
    assert orphan.replay(letter(good, stage="ingest", source_format=None)).failure


def test_enrich_and_sink_letters_go_back_to_their_source_topic() -> None:
    good = (EXAMPLES_DIR / "agent-event/valid/logged-in.json").read_text()
    made = letter(good, stage="sink", source_format=None, source_topic="agents")
    assert [m[0] for m in replayer(home=None).replay(made).messages] == ["agents"]
    unknown = letter(good, stage="sink", source_format=None, source_topic="elsewhere")
    assert "cannot tell what elsewhere carries" in (replayer().replay(unknown).failure or "")


def test_home_topics_come_from_the_registry() -> None:
    assert dlq.home_topic("hotline.call-events.raw.dlq") == topics.RAW.name
    assert dlq.home_topic("hotline.agent-events.dlq") == topics.AGENT_EVENTS.name
    assert dlq.home_topic("something.else") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("7d", NOW - timedelta(days=7)),
        ("2013-03-31", datetime(2013, 3, 31, tzinfo=UTC)),
        ("2013-03-31T18:30:00+02:00", datetime(2013, 3, 31, 16, 30, tzinfo=UTC)),
    ],
)
def test_since(text: str, expected: datetime) -> None:
    assert dlq.parse_since(text, NOW) == expected


def test_list_never_shows_the_payload() -> None:
    made = letter("1354555805|x|hotline|NONE|DID|70200000|86123456")
    described = dlq.describe(dlq.Letter(0, 5, made, b""))
    assert "86123456" not in json.dumps(described)
    assert described["source"] == "asterisk-queue-log"
