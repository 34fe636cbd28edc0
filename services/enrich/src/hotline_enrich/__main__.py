"""`python -m hotline_enrich`: run the enrich worker with settings from the environment."""

from __future__ import annotations

import logging
import sys

from hotline_enrich.cli import EXIT_CONFIG
from hotline_enrich.settings import load_settings


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    if settings is None:
        return EXIT_CONFIG
    from hotline_enrich.worker import run

    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
