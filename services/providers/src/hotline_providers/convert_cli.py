"""`hotline convert`: provider records -> CallEvent/AgentEvent JSON lines, no Kafka needed.

For a telephony administrator checking a mapping before go-live: events on stdout, one JSON
line per rejected record on stderr (`{"line": N, "reason": ..., "errors": [...]}`), then a
summary line (`{"summary": {...}}`). Exit 2 when any record was rejected; the rest is still
converted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import BinaryIO

from hotline_providers import formats, reading
from hotline_providers.model import Adapter
from hotline_providers.settings import ProviderSettings
from hotline_providers.tally import Tally
from hotline_schemas import Origin


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "convert",
        help=(
            "convert provider records (queue_log, contact records, agent events, CSV) to "
            "event JSON lines"
        ),
        description=(
            "Read a provider file (or - for stdin) and write the CallEvent v2 and AgentEvent v1 "
            "it becomes as JSON lines on stdout. Each bad record gives one JSON line on stderr "
            "with its line number and reason; the exit code is 2 if any was rejected. Nothing "
            "is sent anywhere. Format options: HOTLINE_PROVIDER_* (see docs/providers.md)."
        ),
    )
    add_format_arguments(parser)
    parser.add_argument(
        "--origin",
        choices=[o.value for o in Origin],
        default=Origin.IMPORT.value,
        help="origin to stamp on the events (default import)",
    )
    parser.add_argument("file", nargs="?", default="-", help="the file, or - for stdin")
    parser.set_defaults(func=run)


def add_format_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="format",
        required=True,
        choices=formats.NAMES,
        help="the provider format",
    )
    parser.add_argument(
        "--mapping", type=Path, help="cdr-csv: the mapping file (TOML) naming the columns"
    )


def _error(message: str) -> int:
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        fmt = formats.resolve(args.format, args.mapping)
    except formats.FormatError as exc:
        return _error(str(exc))
    adapter = fmt.adapter(ProviderSettings(), Origin(args.origin))
    try:
        stream = _open(args.file)
    except OSError as exc:
        return _error(f"cannot read {args.file}: {exc.strerror}")
    with stream:
        tally = _convert(stream, fmt, adapter)
    sys.stderr.write(json.dumps({"summary": tally.as_dict()}, ensure_ascii=False) + "\n")
    return 2 if tally.rejected else 0


def _open(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    return Path(name).open("rb")


def _convert(stream: BinaryIO, fmt: formats.Format, adapter: Adapter) -> Tally:
    tally = Tally()
    out, err = sys.stdout, sys.stderr
    for record in reading.records(stream, fmt.framing):
        result = adapter.convert(record.line, record.text)
        tally.add(result)
        if result.rejected is not None:
            problem = {
                "line": result.line,
                "reason": result.rejected.reason,
                "errors": result.rejected.errors,
            }
            err.write(json.dumps(problem, ensure_ascii=False) + "\n")
        for event in result.events:
            out.write(event.model_dump_json() + "\n")
    out.flush()
    return tally
