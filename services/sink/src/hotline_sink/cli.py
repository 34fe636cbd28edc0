"""Subcommands `sink` (run the Kafka -> ClickHouse loop) and `migrate` (apply migrations)."""

from __future__ import annotations

import argparse
import sys

from hotline_sink import app
from hotline_sink.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("sink", help="write enriched events from Kafka to ClickHouse")
    run.set_defaults(func=_run)
    mig = sub.add_parser("migrate", help="apply ClickHouse migrations (idempotent)")
    mig.set_defaults(func=_migrate)


def _run(_args: argparse.Namespace) -> int:
    return app.run_sink(Settings())


def _migrate(_args: argparse.Namespace) -> int:
    settings = Settings()
    for migration, applied_now in app.migrate(settings):
        state = "applied        " if applied_now else "already applied"
        sys.stdout.write(
            f"{state} {migration.version:04d}_{migration.name} ({settings.clickhouse.database})\n"
        )
    return 0
