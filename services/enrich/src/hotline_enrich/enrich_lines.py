"""`hotline enrich-event`: CallEvent JSON lines on stdin -> EnrichedEvent JSON lines on stdout.

Each rejected line gets one JSON error line on stderr (`{"line": n, "error": ..., "errors":
[...]}`); valid lines are still processed. Blank lines are skipped. Exit status 2 when any line
was rejected, else 0. The raw caller number never reaches the output: it is replaced by its
pseudonym inside `enrich`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

import orjson

from hotline_enrich.decode import Rejection, decode_event
from hotline_enrich.enrichment import EnrichmentContext, enrich

EXIT_OK = 0
EXIT_REJECTED = 2


def run(
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    ctx: EnrichmentContext,
    now: Callable[[], datetime],
) -> int:
    rejected = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        decoded = decode_event(line)
        if isinstance(decoded, Rejection):
            rejected += 1
            error = {"line": number, "error": decoded.reason, "errors": decoded.errors}
            stderr.write(orjson.dumps(error).decode() + "\n")
            continue
        stdout.write(enrich(decoded, ctx, now()).model_dump_json() + "\n")
    stdout.flush()
    return EXIT_REJECTED if rejected else EXIT_OK
