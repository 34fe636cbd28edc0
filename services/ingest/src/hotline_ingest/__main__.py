"""`python -m hotline_ingest`: serve the webhook on HOTLINE_INGEST_HOST:PORT (127.0.0.1:8080)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from hotline_ingest.app import create_app
from hotline_ingest.settings import Settings


def serve(settings: Settings) -> int:
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Uvicorn's own access log is one line per request; the webhook may be busy.
        access_log=False,
    )
    return 0


def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return serve(Settings())


if __name__ == "__main__":
    sys.exit(main())
