"""Dead letters of the provider tools: the one place they are built and read back.

Both functions are kept single on purpose: dead-letter payloads are about to be stored
encrypted and redacted (caller numbers), and then only these two change.
"""

from __future__ import annotations

from datetime import datetime

from hotline_providers.model import Converted
from hotline_schemas import DeadLetter


def import_letter(
    result: Converted,
    *,
    source_format: str,
    rejected_at: datetime,
    max_chars: int,
    header: str | None = None,
) -> DeadLetter:
    """A rejected provider record as a dead letter (stage import) with its original text.

    A CSV row is kept with its file's header line before it (`header\\nrow`), so a replay
    can read the row on its own."""
    assert result.rejected is not None
    payload = result.raw if header is None else f"{header}\n{result.raw}"
    reason = f"line {result.line}: {result.rejected.reason}"
    if len(payload) > max_chars:
        # The broker refuses records over ~1 MB: keep the start and say so.
        reason += f" (payload truncated: {len(payload) - max_chars} of {len(payload)} chars cut)"
        payload = payload[:max_chars]
    return DeadLetter(
        stage="import",
        reason=reason,
        errors=result.rejected.errors,
        payload=payload,
        source_format=source_format,
        rejected_at=rejected_at,
    )


def original_payload(letter: DeadLetter) -> str:
    """The rejected input as it was first received (the text a replay converts again)."""
    return letter.payload
