"""Caller pseudonyms: a keyed hash of the caller number, so the number itself is never stored.

HMAC-SHA256 over the E.164 number (UTF-8), keyed with the configured secret, as 64 hex chars
(the full digest: truncating saves little and would make collisions across years of data
likelier). The same number and secret always give the same key, so repeat callers can be
counted; without the secret the key cannot be reversed by hashing every Danish number.
"""

from __future__ import annotations

import functools
import hashlib
import hmac


def caller_key(secret: bytes, number: str | None) -> str | None:
    """The pseudonym of `number`, or None for a withheld number."""
    if number is None:
        return None
    if not secret:
        raise ValueError("the pseudonym secret must not be empty")
    keyed = _keyed(secret).copy()  # the key schedule once per secret, not once per call
    keyed.update(number.strip().encode("utf-8"))
    return keyed.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)
