"""Run the enrich worker in this process."""

from __future__ import annotations

import logging

import faust
from prometheus_client import CollectorRegistry

from hotline_enrich.app import create_app
from hotline_enrich.context import load_context
from hotline_enrich.metrics import EnrichMetrics, serve, track_opening_hours
from hotline_enrich.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    """Start the Faust worker; returns its exit status when it stops (SIGINT/SIGTERM)."""
    ctx = load_context(settings)
    metrics = EnrichMetrics(CollectorRegistry())
    app = create_app(settings, ctx, metrics=metrics)
    track_opening_hours(metrics, ctx.schedule)
    serve(metrics, settings.metrics_host, settings.metrics_port)
    log.info(
        "enrich: %s -> %s (rejects to %s), metrics on %s:%d",
        settings.raw_topic,
        settings.enriched_topic,
        settings.dead_letter_topic,
        settings.metrics_host,
        settings.metrics_port,
    )
    worker = faust.Worker(app, loglevel=settings.log_level, redirect_stdouts=False)
    try:
        worker.execute_from_commandline()
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return 0
