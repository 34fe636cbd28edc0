"""`python -m hotline_ingest`: serve the webhook on HOTLINE_INGEST_HOST:PORT (127.0.0.1:8080).

Exits 2, after one log line saying why, when the settings are invalid or no webhook secret is
set without an explicit permission to run unsigned (see `signing.signing_mode`).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import uvicorn

from hotline_ingest.app import create_app
from hotline_ingest.settings import Settings, load_settings
from hotline_ingest.signing import UnsignedRefusedError

log = logging.getLogger("hotline_ingest")


def serve(settings: Settings) -> int:
    try:
        app = create_app(settings)
    except UnsignedRefusedError as exc:
        log.error("%s", exc)
        return 2
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Uvicorn's own access log is one line per request; the webhook may be busy.
        access_log=False,
    )
    return 0


def serve_from_environment(**overrides: Any) -> int:
    settings = load_settings(**overrides)
    return 2 if settings is None else serve(settings)


def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return serve_from_environment()


if __name__ == "__main__":
    sys.exit(main())
