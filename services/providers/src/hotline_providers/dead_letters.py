"""Dead letters of the provider tools: built with the contract's one helper, read back with it.

Every dead letter is built by `hotline_schemas.privacy.make_dead_letter`: the payload people
see has caller numbers masked, the exact original is sealed (AES-256-GCM) under
`HOTLINE_DEAD_LETTER_KEYS`, and `original_payload` unseals it for a replay.
"""

from __future__ import annotations

from datetime import datetime

from hotline_providers.model import Converted
from hotline_schemas import DeadLetter
from hotline_schemas.privacy import KeyRing, make_dead_letter, unseal


def import_letter(
    result: Converted,
    *,
    source_format: str,
    rejected_at: datetime,
    keys: KeyRing | None,
    header: str | None = None,
) -> DeadLetter:
    """A rejected provider record as a dead letter (stage import) with its original text.

    A CSV row is kept with its file's header line before it (`header\nrow`), so a replay
    can read the row on its own."""
    assert result.rejected is not None
    payload = result.raw if header is None else f"{header}\n{result.raw}"
    return make_dead_letter(
        stage="import",
        reason=f"line {result.line}: {result.rejected.reason}",
        errors=result.rejected.errors,
        payload=payload,
        keys=keys,
        rejected_at=rejected_at,
        source_format=source_format,
    )


def original_payload(letter: DeadLetter, keys: KeyRing | None) -> str:
    """The rejected input as it was first received (the text a replay converts again);
    raises `hotline_schemas.privacy.UnsealError` when it cannot be had."""
    return unseal(letter, keys).decode("utf-8", errors="replace")
