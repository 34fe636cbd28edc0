"""Dead letters without readable caller numbers: redact for people, seal for replay.

Every stage builds its dead letters with `make_dead_letter`, so what reaches a `*.dlq` topic is

- `payload`: the rejected text with every phone-number-like digit run masked (`#` per digit),
  so an operator still sees why it failed;
- `sealed_payload`: the exact original bytes, encrypted with AES-256-GCM under the current
  dead-letter key, tagged with that key's id, so `unseal` (used by the replay) restores them.

Keys come from `HOTLINE_DEAD_LETTER_KEYS` (each service's settings): base64 of 32 random
bytes, comma-separated; the first one seals, all of them unseal, so a key is rotated by putting
a new one first and dropped (crypto-shredding every letter it sealed) by removing it. A key's
id is derived from the key, so it cannot be mislabelled. The keys are separate from the
pseudonym secret on purpose: ingest and the sink seal dead letters but must never be able to
compute caller pseudonyms, and destroying a dead-letter key must not change any pseudonym.

Redaction is a pattern, not a parser (it must work on text that is not JSON at all): a run of
at least `MIN_DIGITS` digits, possibly separated by spaces, `-`, `.`, `/` or parentheses, is
masked wherever it appears, except dates and times (`2013-03-31T18:30:00+02:00`), UUIDs and
long hexadecimal tokens such as caller pseudonyms. Its limits are stated in docs/privacy.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from hotline_schemas.events import DeadLetter

log = logging.getLogger(__name__)

Stage = Literal["ingest", "enrich", "sink", "import"]

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce; random per letter (2^-32 collision bound is far off)
MIN_DIGITS = 6  # Danish numbers have 8 digits, E.164 at least 7; postcodes (4) stay readable
# A dead letter holds the sealed bytes (4/3 of them in base64) and the redacted text (whose JSON
# escaping can be 6 bytes per control character): keep the record below the broker's 1 MB.
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_SHOWN_CHARS = 64 * 1024  # enough to see why it failed

_AAD_PREFIX = b"hotline-dead-letter:v1:"
_KEY_ID_CONTEXT = b"hotline dead-letter key id\x00"

_DATE_TIME = (
    r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[Tt ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?"
)
_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
# Hashes such as a caller pseudonym (64 hex): at least one letter, or it is just digits.
_HEX = r"(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{32,}"
_KEEP = rf"(?<![0-9A-Za-z])(?:{_DATE_TIME}|{_UUID}|{_HEX})(?![0-9A-Za-z])"
_DIGIT_RUN = r"\d(?:[\s\-./()]{0,3}\d)+"
_TOKENS = re.compile(rf"(?P<keep>{_KEEP})|(?P<run>{_DIGIT_RUN})")
_DIGIT = re.compile(r"\d")


class DeadLetterKeyError(ValueError):
    """A dead-letter key setting is malformed (the message never contains key material)."""


class UnsealError(RuntimeError):
    """A dead letter cannot be unsealed: unknown key, wrong key, tampered or never sealed."""


# --- redaction -----------------------------------------------------------------------------


def _mask(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("keep") is not None:
        return text
    if len(_DIGIT.findall(text)) < MIN_DIGITS:
        return text
    return _DIGIT.sub("#", text)


def redact(text: str) -> str:
    """`text` with every phone-number-like digit run masked, `#` per digit."""
    return _TOKENS.sub(_mask, text)


# --- keys ------------------------------------------------------------------------------------


def key_id(key: bytes) -> str:
    """A short public name for a key: a hash prefix, so it cannot be mislabelled."""
    return hashlib.sha256(_KEY_ID_CONTEXT + key).hexdigest()[:16]


@dataclass(frozen=True)
class SealingKey:
    id: str
    key: bytes = field(repr=False)

    @classmethod
    def of(cls, key: bytes) -> SealingKey:
        if len(key) != KEY_BYTES:
            raise DeadLetterKeyError(f"a dead-letter key must be {KEY_BYTES} bytes, not {len(key)}")
        return cls(id=key_id(key), key=key)


@dataclass(frozen=True)
class KeyRing:
    """The configured dead-letter keys: the first seals, every one unseals."""

    keys: tuple[SealingKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise DeadLetterKeyError("no dead-letter key")
        ids = [k.id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise DeadLetterKeyError("a dead-letter key is listed twice")

    @property
    def current(self) -> SealingKey:
        return self.keys[0]

    def get(self, wanted: str) -> SealingKey:
        for key in self.keys:
            if key.id == wanted:
                return key
        raise UnsealError(
            f"dead letter sealed with key {wanted}, which is not among the configured keys "
            f"({', '.join(k.id for k in self.keys)}): add it to HOTLINE_DEAD_LETTER_KEYS"
        )

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """`HOTLINE_DEAD_LETTER_KEYS`: base64 keys separated by commas or whitespace."""
        parts = [p for p in re.split(r"[,\s]+", text) if p]
        keys = []
        for position, part in enumerate(parts, start=1):
            try:
                raw = base64.b64decode(part.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError):
                raise DeadLetterKeyError(f"dead-letter key {position} is not base64") from None
            if len(raw) != KEY_BYTES:
                raise DeadLetterKeyError(
                    f"dead-letter key {position} is {len(raw)} bytes; it must be {KEY_BYTES} "
                    "(e.g. `openssl rand -base64 32`)"
                )
            keys.append(SealingKey.of(raw))
        return cls(tuple(keys))

    @classmethod
    def from_setting(cls, value: SecretStr | None) -> KeyRing | None:
        """The ring a service's settings configure, or None when no key is set."""
        if value is None or not value.get_secret_value().strip():
            return None
        return cls.parse(value.get_secret_value())


def load_keys(setting: SecretStr | None, service: str) -> KeyRing | None:
    """A service's ring, read once at start-up: malformed keys stop the service there (not at
    its first dead letter), and running without one is said out loud."""
    keys = KeyRing.from_setting(setting)
    if keys is None:
        log.warning(
            "%s: HOTLINE_DEAD_LETTER_KEYS is not set: dead letters keep only their redacted "
            "text and cannot be replayed",
            service,
        )
    return keys


def new_key() -> str:
    """A fresh key in the setting's format (base64 of 32 random bytes)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


# --- sealing ---------------------------------------------------------------------------------


def seal(data: bytes, key: SealingKey) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.key).encrypt(nonce, data, _AAD_PREFIX + key.id.encode("ascii"))
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(letter: DeadLetter, keys: KeyRing | None) -> bytes:
    """The exact bytes that were rejected; raises UnsealError when they cannot be had."""
    if letter.sealed_payload is None or letter.key_id is None:
        if not letter.redacted:
            # Written before sealing existed: the payload is the original text.
            return letter.payload.encode("utf-8")
        raise UnsealError(
            "dead letter has no sealed payload (no dead-letter key was configured when it was "
            "written): only its redacted text exists, which must not be replayed"
        )
    if keys is None:
        raise UnsealError("no dead-letter keys configured: set HOTLINE_DEAD_LETTER_KEYS")
    key = keys.get(letter.key_id)
    try:
        blob = base64.b64decode(letter.sealed_payload, validate=True)
    except (binascii.Error, ValueError):
        raise UnsealError("sealed payload is not base64: the letter is damaged") from None
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        return AESGCM(key.key).decrypt(nonce, sealed, _AAD_PREFIX + letter.key_id.encode("ascii"))
    except (InvalidTag, ValueError):
        raise UnsealError(
            f"sealed payload does not authenticate under key {letter.key_id}: "
            "wrong key or a tampered letter"
        ) from None


# --- the one way to build a dead letter -------------------------------------------------------


def make_dead_letter(
    *,
    stage: Stage,
    reason: str,
    payload: bytes | str,
    keys: KeyRing | None,
    rejected_at: datetime,
    errors: Iterable[Mapping[str, str]] = (),
    source_topic: str | None = None,
    source_partition: int | None = None,
    source_offset: int | None = None,
    source_format: str | None = None,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
) -> DeadLetter:
    """A dead letter with no readable caller number, its original sealed when `keys` is set.

    Reason and errors are redacted too (today they never quote input, but a future message
    might). A payload over `max_payload_bytes` is cut, and the reason says so: the broker
    refuses records over about 1 MB and the rejection must still be recorded.
    """
    original = payload.encode("utf-8") if isinstance(payload, str) else payload
    reason = redact(reason)
    if len(original) > max_payload_bytes:
        cut = len(original) - max_payload_bytes
        reason += f" (payload truncated: {cut} of {len(original)} bytes cut)"
        original = original[:max_payload_bytes]
    key = keys.current if keys is not None else None
    return DeadLetter(
        stage=stage,
        reason=reason,
        errors=_redact_errors(errors),
        payload=_shown(original),
        redacted=True,
        sealed_payload=seal(original, key) if key is not None else None,
        key_id=key.id if key is not None else None,
        source_topic=source_topic,
        source_partition=source_partition,
        source_offset=source_offset,
        source_format=source_format,
        rejected_at=rejected_at,
    )


def _shown(original: bytes) -> str:
    text = original.decode("utf-8", errors="replace")
    if len(text) <= MAX_SHOWN_CHARS:
        return redact(text)
    # Cut before redacting would split a number at the edge; redact, then cut on a '#'-safe edge.
    shown = redact(text[: MAX_SHOWN_CHARS + 64])[:MAX_SHOWN_CHARS]
    return f"{shown} [... {len(text) - MAX_SHOWN_CHARS} more characters not shown]"


def _redact_errors(errors: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    return [{k: redact(v) for k, v in item.items()} for item in errors]


__all__ = [
    "MAX_PAYLOAD_BYTES",
    "DeadLetterKeyError",
    "KeyRing",
    "SealingKey",
    "UnsealError",
    "load_keys",
    "make_dead_letter",
    "new_key",
    "redact",
    "seal",
    "unseal",
]
