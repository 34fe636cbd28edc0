"""Subcommands of the `hotline` command: `enrich` (the worker) and `enrich-event` (a filter)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from hotline_enrich import enrich_lines
from hotline_enrich.context import load_context
from hotline_enrich.settings import load_settings

EXIT_CONFIG = 78  # EX_CONFIG from sysexits.h


def _run_worker(args: argparse.Namespace) -> int:
    from hotline_enrich.worker import run  # Faust is heavy: import it only for the worker

    settings = load_settings()
    return EXIT_CONFIG if settings is None else run(settings)


def _enrich_event(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return EXIT_CONFIG
    ctx = load_context(settings)
    return enrich_lines.run(sys.stdin, sys.stdout, sys.stderr, ctx, lambda: datetime.now(UTC))


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    worker = subparsers.add_parser(
        "enrich",
        help="run the enrich stream worker (raw -> enriched topic, rejects -> dead letters)",
        description="Run the Faust worker. Configured by HOTLINE_* environment variables.",
    )
    worker.set_defaults(func=_run_worker)
    lines = subparsers.add_parser(
        "enrich-event",
        help="enrich CallEvent JSON lines from stdin to stdout",
        description=(
            "Read CallEvent JSON lines on stdin, write EnrichedEvent JSON lines on stdout and one "
            "JSON error line per rejected line on stderr. Exit 2 if any line was rejected."
        ),
    )
    lines.set_defaults(func=_enrich_event)
