"""Dead letters: no caller number readable anywhere in them, the original restored exactly."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr, ValidationError

from hotline_schemas import DeadLetter
from hotline_schemas.privacy import (
    MAX_PAYLOAD_BYTES,
    DeadLetterKeyError,
    KeyRing,
    UnsealError,
    make_dead_letter,
    new_key,
    redact,
    unseal,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NUMBER = "+4586123456"
# The ways a caller number turns up in what providers send or mistype.
SPELLINGS = (
    "+4586123456",
    "4586123456",
    "004586123456",
    "86123456",
    "86 12 34 56",
    "+45 86 12 34 56",
    "(+45) 8612-3456",
    "+45.86.12.34.56",
    "86/12/34/56",
)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.parse(new_key())


def _readable_numbers(text: str) -> list[str]:
    """Digit runs of 6+ (separators dropped) outside timestamps: what a number could be read
    from."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", "<time>", text)
    digits = re.sub(r"(?<=\d)[\s\-./()]{1,3}(?=\d)", "", text)
    return re.findall(r"\d{6,}", digits)


def _letter(payload: bytes | str, ring: KeyRing | None, reason: str = "rejected") -> DeadLetter:
    return make_dead_letter(
        stage="ingest", reason=reason, payload=payload, keys=ring, rejected_at=NOW
    )


def _wire(letter: DeadLetter) -> str:
    """The record as it lands on the dead-letter topic."""
    return letter.model_dump_json()


def _readable_part(letter: DeadLetter) -> str:
    """Everything in the record but the ciphertext and the key id (random-looking text)."""
    return letter.model_dump_json(exclude={"sealed_payload", "key_id"})


# --- redaction ----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_number_is_masked(spelling: str) -> None:
    masked = redact(f"caller: {spelling}; postcode 8000")
    assert not _readable_numbers(masked), masked
    assert masked.endswith("postcode 8000")


def test_what_operators_need_stays_readable() -> None:
    text = (
        '{"event_id": "evt-0100", "occurred_at": "2013-03-31T18:30:00.250+02:00", '
        '"caller_postcode": "8000", "ivr_choice": "2", '
        '"caller_key": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", '
        '"request": "123e4567-e89b-12d3-a456-426614174000", "day": "2013-12-01"}'
    )
    assert redact(text) == text


def test_digits_glued_to_letters_are_masked_too() -> None:
    assert not _readable_numbers(redact("tel4586123456x and id-4586123456"))


def test_non_ascii_digits_are_masked() -> None:
    arabic_indic = "\u0668\u0666\u0661\u0662\u0663\u0664\u0665\u0666"  # 86123456
    assert redact(arabic_indic) == "########"


# --- dead letters: never readable -------------------------------------------------------------


VALID_JSON = json.dumps(
    {
        "schema_version": 1,
        "event_id": "evt-1",
        "call_id": "call-1",
        "type": "ringing",
        "occurred_at": "2013-03-31T18:30:00+02:00",
        "line": "+4570200000",
        "caller_number": NUMBER,
    }
).encode()
BROKEN_JSON = b'{"schema_version": 1, "caller_number": "+4586123456", "type": '
NDJSON_GARBAGE = (
    b'{"caller_number": "+45 86 12 34 56"}\n'
    b"not json at all, call back on 86123456 \xff\xfe\n"
    b'{"caller_number": 4586123456, "oops"\n'
)


@pytest.mark.parametrize(
    "payload", [VALID_JSON, BROKEN_JSON, NDJSON_GARBAGE], ids=["valid", "broken", "ndjson"]
)
def test_no_caller_number_is_readable_in_a_dead_letter(payload: bytes, ring: KeyRing) -> None:
    letter = _letter(payload, ring, reason=f"caller_number {NUMBER} is not allowed here")
    assert not _readable_numbers(_readable_part(letter))
    assert "86123456" not in re.sub(r"[\s\-./()]", "", _readable_part(letter))
    # Nor hidden in the base64 of the sealed bytes: those are ciphertext.
    assert NUMBER.encode() not in base64.b64decode(letter.sealed_payload or "")


@pytest.mark.parametrize(
    "payload", [VALID_JSON, BROKEN_JSON, NDJSON_GARBAGE], ids=["valid", "broken", "ndjson"]
)
def test_unseal_restores_the_exact_original_bytes(payload: bytes, ring: KeyRing) -> None:
    letter = DeadLetter.model_validate_json(_wire(_letter(payload, ring)))
    assert unseal(letter, ring) == payload


def test_the_redacted_payload_still_shows_why_it_failed(ring: KeyRing) -> None:
    letter = _letter(VALID_JSON, ring)
    shown = json.loads(letter.payload)
    assert shown["type"] == "ringing"
    assert shown["occurred_at"] == "2013-03-31T18:30:00+02:00"
    assert shown["caller_number"] == "+##########"


def test_errors_are_redacted(ring: KeyRing) -> None:
    letter = make_dead_letter(
        stage="sink",
        reason="ClickHouse error 6: cannot parse '4586123456'",
        errors=[{"field": "caller_number", "error": "bad value 4586123456", "type": "x"}],
        payload=b"{}",
        keys=ring,
        rejected_at=NOW,
        source_topic="t",
        source_partition=1,
        source_offset=7,
    )
    assert not _readable_numbers(_readable_part(letter))
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == ("t", 1, 7)


def test_an_oversized_payload_is_cut_and_says_so(ring: KeyRing) -> None:
    payload = b"x" * 50
    letter = make_dead_letter(
        stage="ingest",
        reason="too big",
        payload=payload,
        keys=ring,
        rejected_at=NOW,
        max_payload_bytes=10,
    )
    assert letter.reason == "too big (payload truncated: 40 of 50 bytes cut)"
    assert unseal(letter, ring) == b"x" * 10
    assert letter.payload == "x" * 10


@pytest.mark.parametrize("byte", [b"8", b"\x00", b"\xff"], ids=["digits", "nul", "invalid"])
def test_a_default_sized_letter_fits_a_kafka_record(ring: KeyRing, byte: bytes) -> None:
    payload = byte * (2 * MAX_PAYLOAD_BYTES)
    letter = _letter(payload, ring)
    assert len(_wire(letter).encode()) < 1_000_000
    assert letter.payload.endswith("more characters not shown]")
    assert unseal(letter, ring) == payload[:MAX_PAYLOAD_BYTES]


# --- keys -------------------------------------------------------------------------------------


def test_a_wrong_key_fails_loudly(ring: KeyRing) -> None:
    letter = _letter(VALID_JSON, ring)
    with pytest.raises(UnsealError, match="not among the configured keys"):
        unseal(letter, KeyRing.parse(new_key()))
    with pytest.raises(UnsealError, match="no dead-letter keys"):
        unseal(letter, None)


def test_a_tampered_letter_fails_loudly(ring: KeyRing) -> None:
    letter = _letter(VALID_JSON, ring)
    blob = bytearray(base64.b64decode(letter.sealed_payload or ""))
    blob[-1] ^= 1
    tampered = letter.model_copy(update={"sealed_payload": base64.b64encode(blob).decode()})
    with pytest.raises(UnsealError, match="does not authenticate"):
        unseal(tampered, ring)
    other = KeyRing.parse(new_key())
    relabelled = letter.model_copy(update={"key_id": other.current.id})
    with pytest.raises(UnsealError, match="does not authenticate"):
        unseal(relabelled, KeyRing((ring.current, *other.keys)))
    # Swapping in another key under the letter's id is no better.
    forged = KeyRing((type(ring.current)(id=ring.current.id, key=other.current.key),))
    with pytest.raises(UnsealError, match="does not authenticate"):
        unseal(letter, forged)


def test_rotation_new_key_seals_old_key_still_unseals() -> None:
    old = KeyRing.parse(new_key())
    sealed_before = _letter(VALID_JSON, old)
    rotated = KeyRing.parse(f"{new_key()},{base64.b64encode(old.current.key).decode()}")
    sealed_after = _letter(VALID_JSON, rotated)
    assert sealed_after.key_id == rotated.current.id != old.current.id
    assert unseal(sealed_before, rotated) == unseal(sealed_after, rotated) == VALID_JSON
    # Dropping the old key makes what it sealed unreadable for good (crypto-shredding).
    with pytest.raises(UnsealError):
        unseal(sealed_before, KeyRing(rotated.keys[:1]))


def test_without_a_key_the_letter_is_redacted_and_not_replayable() -> None:
    letter = _letter(VALID_JSON, None)
    assert letter.redacted
    assert letter.sealed_payload is None
    assert letter.key_id is None
    assert not _readable_numbers(letter.payload)
    with pytest.raises(UnsealError, match="must not be replayed"):
        unseal(letter, KeyRing.parse(new_key()))


def test_a_letter_from_before_sealing_replays_its_payload() -> None:
    legacy = DeadLetter.model_validate(
        {"stage": "enrich", "reason": "x", "payload": '{"a": 1}', "rejected_at": NOW}
    )
    assert unseal(legacy, None) == b'{"a": 1}'


def test_the_model_refuses_half_sealed_letters() -> None:
    base = {"stage": "ingest", "reason": "x", "payload": "p", "rejected_at": NOW}
    with pytest.raises(ValidationError, match="come together"):
        DeadLetter.model_validate({**base, "redacted": True, "sealed_payload": "AAAA"})
    with pytest.raises(ValidationError, match="redacted payload"):
        DeadLetter.model_validate({**base, "sealed_payload": "AAAA", "key_id": "k"})


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("not base64!", "key 1 is not base64"),
        (base64.b64encode(b"short").decode(), "key 1 is 5 bytes"),
        ("{k},{k}", "listed twice"),
    ],
)
def test_malformed_keys_are_refused_without_echoing_them(setting: str, message: str) -> None:
    value = setting.replace("{k}", new_key())
    with pytest.raises(DeadLetterKeyError, match=message) as caught:
        KeyRing.from_setting(SecretStr(value))
    assert value not in str(caught.value)


def test_key_setting_forms() -> None:
    assert KeyRing.from_setting(None) is None
    assert KeyRing.from_setting(SecretStr("  ")) is None
    key = new_key()
    urlsafe = key.replace("+", "-").replace("/", "_")
    ring = KeyRing.from_setting(SecretStr(f" {urlsafe} , {new_key()}\n"))
    assert ring is not None
    assert ring.current == KeyRing.parse(key).current
    assert len(ring.keys) == 2
    assert "key=" not in repr(ring), "key material must not appear in reprs or logs"
