"""`hotline board`: serve the live board; `hotline board-dashboard`: write the Grafana JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hotline_board.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "board", help="serve the live operations board (page + JSON API) over ClickHouse"
    )
    parser.add_argument("--host", help="listen address (default HOTLINE_BOARD_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default HOTLINE_BOARD_PORT or 8090)")
    parser.add_argument(
        "--at", help="pin the board's 'now', e.g. 2013-03-31T19:00:00Z (default: wall clock)"
    )
    parser.set_defaults(func=run)

    dash = sub.add_parser(
        "board-dashboard", help="write the Grafana dashboard JSON generated from the metric SQL"
    )
    dash.add_argument("--output", type=Path, help="file to write (default: stdout)")
    dash.set_defaults(func=write_dashboard)


def run(args: argparse.Namespace) -> int:
    from hotline_board.__main__ import serve

    pairs = (("host", args.host), ("port", args.port), ("at", args.at))
    return serve(Settings(**{k: v for k, v in pairs if v is not None}))


def write_dashboard(args: argparse.Namespace) -> int:
    from hotline_board.grafana import dashboard

    text = json.dumps(dashboard(rules=Settings().rules), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
