"""`python -m hotline_simulator ...`: the same options as `hotline simulate`."""

from __future__ import annotations

import argparse
import logging
import sys

from hotline_simulator import cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotline_simulator")
    cli.register(parser.add_subparsers(dest="command", required=True))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parser.parse_args(["simulate", *(sys.argv[1:] if argv is None else argv)])
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
