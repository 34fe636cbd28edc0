"""`hotline dlq list|replay --topic T [--since ...] [--dry-run]`: look at dead letters, and
send those that now pass back to where they failed (see `dlq.py`). Payloads are never
printed: they may hold a caller's number.

Exit status of replay: 0 every letter replayed (or nothing to replay), 1 some still fail,
2 usage errors, 3 Kafka failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer
from kafka.errors import KafkaError

from hotline_providers import dlq
from hotline_providers.settings import DlqSettings, ProviderSettings
from hotline_providers.tally import reason_group
from hotline_schemas.privacy import DeadLetterKeyError, load_keys

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "dlq",
        help="list dead letters, or replay those that now pass to where they failed",
        description=(
            "list: one JSON line per dead letter (where from, when, why; never the payload). "
            "replay: convert or validate each again and send what passes back to its topic "
            "(import letters to the raw/agent topics, enrich and sink letters to the topic "
            "they were read from, ingest letters to the dead-letter topic's home topic). "
            "Replaying twice adds nothing to FINAL results."
        ),
    )
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("--topic", required=True, help="the dead-letter topic")
    parser.add_argument(
        "--since",
        help="only letters rejected since then: 30m, 2h, 7d, or an ISO date/time (UTC)",
    )
    parser.add_argument("--dry-run", action="store_true", help="replay: send nothing, just say")
    parser.add_argument(
        "--to",
        help="replay: the home topic for letters that do not name one (default: the registry's)",
    )
    parser.add_argument(
        "--mapping", type=Path, help="replay: the mapping file for cdr-csv import letters"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = DlqSettings()
    try:
        since = dlq.parse_since(args.since, datetime.now(UTC)) if args.since else None
    except ValueError:
        log.error("--since %r: use 30m, 2h, 7d or an ISO date/time", args.since)
        return 2
    try:
        letters = [
            letter
            for letter in dlq.read(settings.kafka.bootstrap_servers, args.topic)
            if since is None or (letter.letter and letter.letter.rejected_at >= since)
        ]
    except LookupError as exc:
        log.error("%s", exc)
        return 2
    except KafkaError as exc:
        log.error("Kafka at %s: %r", settings.kafka.bootstrap_servers, exc)
        return 3
    if args.action == "list":
        for letter in letters:
            sys.stdout.write(json.dumps(dlq.describe(letter), ensure_ascii=False) + "\n")
        by_stage = Counter(str(dlq.describe(x).get("stage", "unreadable")) for x in letters)
        sys.stderr.write(f"{len(letters)} dead letters in {args.topic}: {dict(by_stage)}\n")
        return 0
    return _replay(args, settings, letters)


def _replay(args: argparse.Namespace, settings: DlqSettings, letters: list[dlq.Letter]) -> int:
    try:
        keys = load_keys(settings.dead_letter_keys, "dlq replay")
    except DeadLetterKeyError as exc:
        log.error("%s", exc)
        return 2
    replayer = dlq.Replayer(
        settings,
        ProviderSettings(),
        home=args.to or dlq.home_topic(args.topic),
        mapping=args.mapping,
        keys=keys,
    )
    failing: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    outgoing: list[tuple[str, str, bytes]] = []
    replayed = 0
    for letter in letters:
        if letter.letter is None:
            failing["not a dead letter"] += 1
            continue
        result = replayer.replay(letter.letter)
        if result.failure is not None:
            failing[reason_group(result.failure)] += 1
        elif result.skipped is not None:
            skipped[result.skipped] += 1
        else:
            replayed += 1
            outgoing.extend(result.messages)
    if outgoing and not args.dry_run:
        try:
            _send(settings.kafka.bootstrap_servers, outgoing)
        except KafkaError as exc:
            log.error("Kafka failed while replaying (%r); replaying again is safe", exc)
            return 3
    verb = "would replay" if args.dry_run else "replayed"
    lines = [
        f"dlq {args.topic}: {len(letters)} letters"
        + (f" since {args.since}" if args.since else "")
        + f", {verb} {replayed} ({len(outgoing)} messages), still failing "
        f"{sum(failing.values())}, skipped {sum(skipped.values())}"
    ]
    lines += [f"  still failing: {reason}: {n}" for reason, n in failing.most_common()]
    lines += [f"  skipped: {reason}: {n}" for reason, n in skipped.most_common()]
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if failing else 0


def _send(bootstrap_servers: str, messages: list[tuple[str, str, bytes]]) -> None:
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True, linger_ms=20
    )
    try:
        futures = [producer.send(t, key=k.encode(), value=v) for t, k, v in messages]
        producer.flush(timeout=60)
        for future in futures:
            future.get(timeout=60)
    finally:
        producer.close(timeout=10)
