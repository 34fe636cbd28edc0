"""Build the enrichment context (reference data and configuration) once, at start-up."""

from __future__ import annotations

import logging

from hotline_enrich.enrichment import EnrichmentContext
from hotline_enrich.hours import load_schedule
from hotline_enrich.reference import PostcodeTable
from hotline_enrich.settings import Settings
from hotline_enrich.taxonomy import load_taxonomy
from hotline_schemas.privacy import load_keys

log = logging.getLogger(__name__)


def load_context(settings: Settings) -> EnrichmentContext:
    if settings.uses_dev_secret:
        log.warning(
            "HOTLINE_DEV is set: caller pseudonyms use the public development secret; "
            "never run like this on real caller numbers"
        )
    return EnrichmentContext(
        postcodes=PostcodeTable.load(),
        schedule=load_schedule(settings.schedule_file),
        taxonomy=load_taxonomy(settings.taxonomy_file),
        secret=settings.secret_bytes(),
        dead_letter_keys=load_keys(settings.dead_letter_keys, "enrich"),
    )
