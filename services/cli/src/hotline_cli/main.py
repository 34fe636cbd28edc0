"""The `hotline` command: one front door to every service and tool of the pipeline."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from hotline_board import cli as board_cli
from hotline_capacity import cli as capacity_cli
from hotline_cli import erase_cli, retention_cli, schedule_cli, schemas_cli, topics_cli
from hotline_enrich import cli as enrich_cli
from hotline_ingest import cli as ingest_cli
from hotline_providers import convert_cli, dlq_cli, follow_cli, import_cli
from hotline_report import cli as report_cli
from hotline_report import pilot_cli
from hotline_simulator import cli as simulator_cli
from hotline_sink import cli as sink_cli


def build_parser() -> argparse.ArgumentParser:
    # The front door imports every service's CLI module: the one place where packages meet
    # (tests/test_package_boundaries.py allows it here and nowhere else).
    parser = argparse.ArgumentParser(
        prog="hotline",
        description="Call-record pipeline of the East-Jutland digital self-service hotline.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        ingest_cli,
        enrich_cli,
        sink_cli,
        board_cli,
        simulator_cli,
        capacity_cli,
        report_cli,
        pilot_cli,
        convert_cli,
        import_cli,
        follow_cli,
        dlq_cli,
        topics_cli,
        retention_cli,
        erase_cli,
        schemas_cli,
        schedule_cli,
    ):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        # kafka-python narrates every connection at INFO; operators need its warnings only.
        logging.getLogger("kafka").setLevel(logging.WARNING)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
