"""`hotline ingest`: run the HTTP webhook (settings from HOTLINE_* environment variables)."""

from __future__ import annotations

import argparse

from hotline_ingest.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "ingest", help="serve POST /v1/events: provider call events to Kafka (acks=all)"
    )
    parser.add_argument("--host", help="listen address (default HOTLINE_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default HOTLINE_PORT or 8080)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hotline_ingest.__main__ import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    return serve(Settings(**overrides))
