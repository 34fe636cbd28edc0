"""Build the enrichment context (reference data and configuration) once, at start-up."""

from __future__ import annotations

import logging

from hotline_enrich.enrichment import EnrichmentContext
from hotline_enrich.settings import Settings
from hotline_schemas.privacy import load_keys
from hotline_schemas.reference_data import PostcodeTable

log = logging.getLogger(__name__)


def load_context(settings: Settings) -> EnrichmentContext:
    if settings.uses_dev_secret:
        log.warning(
            "HOTLINE_DEV is set: caller pseudonyms use the public development secret; "
            "never run like this on real caller numbers"
        )
    return EnrichmentContext(
        postcodes=PostcodeTable.load(),
        schedule=settings.rules.schedule(),
        taxonomy=settings.rules.taxonomy(),
        secret=settings.secret_bytes(),
        dead_letter_keys=load_keys(settings.dead_letter_keys, "enrich"),
    )
