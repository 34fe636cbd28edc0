"""`hotline import`: provider files onto the raw topics, resumable, with progress and summary.

Exit status: 0 all records converted (or skipped), 1 some were rejected (they are in the
dead-letter topic with their original text), 2 a usage error (unknown format, missing file
or mapping), 3 Kafka failed (the checkpoint keeps what was acknowledged: run it again).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kafka.errors import KafkaError

from hotline_providers import checkpoint, formats
from hotline_providers.convert_cli import add_format_arguments
from hotline_providers.importer import Cadence, Importer, Outcome, ordered
from hotline_providers.producing import DeliveryError, EventProducer, MissingTopicsError
from hotline_providers.progress import progress
from hotline_providers.settings import ImportSettings, ProviderSettings
from hotline_schemas import Origin
from hotline_schemas.privacy import DeadLetterKeyError, load_keys

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "import",
        help="import provider files (queue_log, Connect records and agent events, CSV) to Kafka",
        description=(
            "Convert provider files and produce the events to Kafka as history (origin "
            "import): call events to the raw topic keyed by call_id, agent events to the agent "
            "topic keyed by agent_id, rejected records to the dead-letter topic with their "
            "original text. A checkpoint (HOTLINE_IMPORT_CHECKPOINT_DIR) lets a killed import "
            "resume where it stopped; importing the same files again adds nothing to "
            "ClickHouse's FINAL results (the event ids are deterministic). queue_log files are "
            "read oldest first, whatever their names."
        ),
    )
    add_format_arguments(parser)
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="checkpoint file (default: one per format and file list in the checkpoint dir)",
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="ignore the checkpoint and read every file from its start",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = ImportSettings()
    try:
        fmt = formats.resolve(args.format, args.mapping)
    except formats.FormatError as exc:
        log.error("%s", exc)
        return 2
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        log.error("not a readable file: %s", ", ".join(missing))
        return 2
    files = ordered(fmt, [p.resolve() for p in args.files])
    path = args.checkpoint or checkpoint.default_path(settings.checkpoint_dir, fmt.name, files)
    if len(files) > 1:
        log.info("reading %s", " -> ".join(p.name for p in files))
    adapter = fmt.adapter(ProviderSettings(), Origin.IMPORT)
    try:
        keys = load_keys(settings.dead_letter_keys, "import")
    except DeadLetterKeyError as exc:
        log.error("%s", exc)
        return 2
    try:
        producer = EventProducer.connect(
            settings.kafka.bootstrap_servers, settings, f"{settings.kafka.client_id_prefix}-import"
        )
    except MissingTopicsError as exc:
        log.error("%s", exc)
        return 2
    except KafkaError as exc:
        log.error("Kafka at %s: %r", settings.kafka.bootstrap_servers, exc)
        return 3
    cadence = Cadence(settings.checkpoint_every_records, settings.checkpoint_every_s)
    importer = Importer(fmt, adapter, producer, path, cadence, keys=keys)
    try:
        outcome = importer.run(files, restart=args.restart, progress=progress)
    except (DeliveryError, KafkaError) as exc:
        log.error("Kafka failed (%s); run the same command again to resume", exc)
        return 3
    except KeyboardInterrupt:
        log.warning("interrupted: saving the checkpoint; run the same command again to resume")
        importer.interrupted()
        return 130
    finally:
        producer.close()
    sys.stdout.write(summary(outcome, settings, path))
    return 1 if outcome.total.rejected else 0


def _reasons(counts: dict[str, int]) -> str:
    return "; ".join(f"{reason}: {n:,}" for reason, n in counts.items())


def summary(outcome: Outcome, settings: ImportSettings, path: Path) -> str:
    run, total = outcome.run.as_dict(), outcome.total.as_dict()
    rate = run["read"] / outcome.seconds if outcome.seconds > 0 else 0.0
    lines = [
        f"import: {len(outcome.files)} file(s), checkpoint {path}"
        + (" (resumed)" if outcome.resumed else ""),
        f"  this run:        read {run['read']:,} records in {outcome.seconds:.1f} s "
        f"({rate:,.0f} records/s), produced {outcome.run.events:,} events "
        f"({run['call_events']:,} call -> {settings.raw_topic}, "
        f"{run['agent_events']:,} agent -> {settings.agent_topic}), "
        f"already imported {run['already_imported']:,} records",
        f"  whole import:    read {total['read']:,}, produced {outcome.total.events:,}, "
        f"context only {total['context_only']:,}, skipped {total['skipped']:,}, "
        f"rejected {total['rejected']:,}",
    ]
    if total["skipped"]:
        lines.append(f"  skipped:  {_reasons(total['skipped_by_reason'])}")
    if total["rejected"]:
        lines.append(
            f"  rejected: {_reasons(total['rejected_by_reason'])} "
            f"(dead letters in {settings.dead_letter_topic})"
        )
    return "\n".join(lines) + "\n"
