"""`python -m hotline_sink [sink|migrate]`: the sink service (default `sink`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from hotline_sink import cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline-sink")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    cli.register(sub)
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:] or ["sink"])
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
