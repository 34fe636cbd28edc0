"""`python -m hotline_board`: serve the board on HOTLINE_BOARD_HOST:PORT (127.0.0.1:8090)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from hotline_board.app import create_app
from hotline_board.settings import Settings


def serve(settings: Settings) -> int:
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Every open page polls every few seconds: one log line each would drown the log.
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
