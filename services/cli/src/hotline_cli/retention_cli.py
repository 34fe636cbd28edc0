"""`hotline retention show|apply|purge`: how long personal data is kept, and keeping to it.

- `show`: the configured days of each table and topic, and each table's state (rows, rows
  expired, the oldest row, its TTL);
- `apply`: set each table's TTL to the configured days, or purge where the server has no TTL
  (ClickHouse 18.16); the daily k8s CronJob runs this;
- `purge [--dry-run]`: delete expired rows now, on any server.

Tables count days from `inserted_at` (when the row was stored); topics from when Kafka got the
record (set by `hotline topics create`). See docs/privacy.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from hotline_cli.settings import Settings
from hotline_cli.storage import StorageError, open_storage
from hotline_schemas.topics import ALL_TOPICS, retention_days
from hotline_sink import retention
from hotline_sink.mutations import MutationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "retention",
        help="show or enforce how long call events, records and topics keep personal data",
    )
    parser.add_argument("action", choices=["show", "apply", "purge"])
    parser.add_argument(
        "--dry-run", action="store_true", help="purge: only count what would be deleted"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    conn = settings.clickhouse
    now = datetime.now(UTC)
    try:
        with open_storage(conn) as (client, dialect):
            if args.action == "show":
                _show(settings, [
                    retention.inspect(client, dialect, conn.database, p, now)
                    for p in retention.policies(settings.retention)
                ], dialect.supports_ttl)  # fmt: skip
                return 0
            if args.action == "apply":
                actions = retention.apply(
                    client, dialect, conn.database, settings.retention, now, conn.user
                )
            else:
                actions = retention.purge(
                    client, dialect, conn.database, settings.retention, now, conn.user,
                    dry_run=args.dry_run,
                )  # fmt: skip
    except (StorageError, MutationError) as exc:
        sys.stderr.write(f"hotline retention: {exc}\n")
        return 1
    for action in actions:
        verb = {"ttl": "TTL set", "purge": "would delete" if args.dry_run else "deleted"}
        sys.stdout.write(
            f"{action.table:13} {verb[action.action]} {action.rows} row(s): {action.detail}\n"
        )
    if not actions:
        sys.stdout.write("nothing to do: every table keeps the configured retention\n")
    return 0


def _show(settings: Settings, states: list[retention.TableState], ttl: bool) -> None:
    out = sys.stdout
    out.write("tables (days counted from inserted_at, when the row was stored):\n")
    for s in states:
        kept = f"TTL {s.ttl_days} days" if s.ttl_days is not None else "no TTL"
        if not ttl:
            kept = "no TTL on this server: `hotline retention apply` purges"
        oldest = f"{s.oldest:%Y-%m-%d}" if s.oldest else "-"
        out.write(
            f"  {s.policy.table:13} keep {s.policy.days} days  {s.rows} rows, "
            f"{s.expired} expired, oldest stored {oldest}  ({kept})\n"
        )
    out.write("topics (days counted from when Kafka got the record; `hotline topics create`):\n")
    for topic in ALL_TOPICS:
        out.write(f"  {topic.name:36} keep {retention_days(topic, settings.retention):g} days\n")
