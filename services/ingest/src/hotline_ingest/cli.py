"""`hotline ingest`: run the HTTP webhook (settings from HOTLINE_* environment variables)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "ingest",
        help=(
            "serve POST /v1/events and /v1/agent-events: signed provider webhooks to Kafka "
            "(acks=all)"
        ),
        description=(
            "Needs HOTLINE_INGEST_WEBHOOK_SECRET (whsec_ secrets, space-separated), or "
            "HOTLINE_INGEST_ALLOW_UNSIGNED=true behind an authenticating proxy, or "
            "HOTLINE_DEV=true for local development. See docs/ingest.md."
        ),
    )
    parser.add_argument("--host", help="listen address (default HOTLINE_INGEST_HOST or 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, help="listen port (default HOTLINE_INGEST_PORT or 8080)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hotline_ingest.__main__ import serve_from_environment

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    return serve_from_environment(**overrides)
