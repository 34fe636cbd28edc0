"""`hotline simulate`: play the telephony provider for one evening, or several in a row."""

from __future__ import annotations

import argparse
import logging
import random
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from standardwebhooks.webhooks import EmptyWebhookSecretError

from hotline_schemas import AgentEvent, CallEvent
from hotline_simulator import connect_ctr_file, evening, queue_log_file
from hotline_simulator.live import retime
from hotline_simulator.model import SimulationConfig, evening_rng, simulate
from hotline_simulator.post import PostOptions, make_client, post_events, to_ndjson
from hotline_simulator.settings import Settings
from hotline_simulator.signing import Signer, WebhookAuth

# --format: what to write instead of posting. `events` is the CallEvent NDJSON --dry-run
# writes; the others are the agents' AgentEvents and the telephony systems' own files.
FORMATS = ("events", "agent-events", "asterisk-queue-log", "connect-ctr")

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "simulate",
        help="post simulated evenings of calls to ingest, as the telephony provider would",
        description=(
            "Simulate one evening of the hotline (Sun-Thu 18:30-22:00 Europe/Copenhagen, plus "
            "calls just before and after) and post its call events to ingest's /v1/events; "
            "--days N simulates the N consecutive opening evenings up to --date instead and "
            "posts them together, as history. By default the events carry the simulated "
            "evenings' own times and are posted as fast as possible; --speed paces them (across "
            "the nights between evenings too); --live stamps one evening relative to now."
        ),
    )
    parser.add_argument(
        "--url", help="ingest base URL (default: HOTLINE_INGEST_URL or http://127.0.0.1:8080)"
    )
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        help=(
            "evening to simulate, YYYY-MM-DD (default: the most recent opening day); with "
            "--days N > 1 the last evening, or the opening day before it if it is a closed day"
        ),
    )
    parser.add_argument(
        "--days",
        type=int,
        metavar="N",
        help=(
            "simulate the N consecutive opening evenings (Sun-Thu) ending at --date, each with "
            "its own random stream, and post them in time order (default 1; not with --live)"
        ),
    )
    parser.add_argument(
        "--rate", type=float, help="calls per hour at the peak of an average evening (default 50)"
    )
    parser.add_argument("--agents", type=int, help="agents on shift, 1-19 (default 5)")
    parser.add_argument(
        "--seed",
        type=int,
        help="random seed; the same seed and date give the same events (default: random, logged)",
    )
    parser.add_argument(
        "--speed",
        type=float,
        help="simulated seconds per real second; 0 = no pacing (default 0, or 1 with --live)",
    )
    parser.add_argument("--duration", type=float, help="stop after this many real seconds")
    parser.add_argument(
        "--live",
        action="store_true",
        help="stamp events relative to now and post each when it is due",
    )
    parser.add_argument("--batch-size", type=int, help="events per request at most (default 200)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="write the events as NDJSON to stdout instead of posting",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help=(
            "write the evening(s) instead of posting: events (CallEvent NDJSON), agent-events "
            "(AgentEvent NDJSON: shifts, breaks, wrap-up, ring-no-answer), asterisk-queue-log "
            "(the PBX's queue_log), connect-ctr (Amazon Connect contact records, JSON lines)"
        ),
    )
    parser.add_argument(
        "--output", type=Path, help="with --format: the file to write (default stdout)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    httpx_log = logging.getLogger("httpx")
    if httpx_log.level == logging.NOTSET and logging.getLogger().level > logging.DEBUG:
        # One INFO line per request drowns the simulator's own log; -v still shows them.
        httpx_log.setLevel(logging.WARNING)
    day: date = args.date or evening.most_recent_opening_day(datetime.now(evening.TZ).date())
    seed: int = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    speed: float = args.speed if args.speed is not None else (1.0 if args.live else 0.0)
    if args.days is not None and args.days < 1:
        log.error("--days must be at least 1, not %d", args.days)
        return 2
    if args.days is not None and args.live:
        log.error("--days cannot be used with --live: live mode retimes a single evening")
        return 2
    count: int = 1 if args.days is None else args.days
    # One evening is --date as given, even a closed day; a run of evenings has opening days only.
    days = [day] if count == 1 else evening.opening_days_ending(day, count)
    if args.live and speed <= 0:
        log.error("--live needs a positive --speed")
        return 2
    if args.format is not None and args.live:
        log.error("--format writes simulated history; it cannot be used with --live")
        return 2
    try:
        options = PostOptions(
            url=args.url or settings.ingest_url,
            speed=1.0 if args.live else speed,  # live timestamps already run `speed` times faster
            duration_s=args.duration,
            batch_size=args.batch_size or settings.simulator_batch_size,
            max_retries=settings.simulator_max_retries,
            max_retry_wait_s=settings.simulator_max_retry_wait_s,
        )
        config = SimulationConfig(
            peak_per_hour=args.rate if args.rate is not None else settings.simulator_peak_per_hour,
            agents=args.agents if args.agents is not None else settings.simulator_agents,
        )
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    # Each evening is sorted and ends long before the next one begins, so this is time order.
    evenings = [simulate(d, config, evening_rng(seed, d)) for d in days]
    events = [e for one in evenings for e in one.calls]
    agents = [a for one in evenings for a in one.agents]
    if count == 1:
        log.info("simulated %s (seed %d): %d events", day.isoformat(), seed, len(events))
    else:
        log.info(
            "simulated %s to %s, %d evenings (seed %d): %d events",
            days[0].isoformat(),
            days[-1].isoformat(),
            len(days),
            seed,
            len(events),
        )
    if args.format is not None:
        return _write(args.format, args.output, events, agents)
    if args.live:
        events = retime(events, datetime.now(evening.TZ), speed)
    if args.dry_run:
        sys.stdout.buffer.write(to_ndjson(events))
        sys.stdout.flush()
        return 0
    secret = settings.signing_secret()
    if secret is None:
        log.warning(
            "no HOTLINE_SIMULATOR_WEBHOOK_SECRET or HOTLINE_INGEST_WEBHOOK_SECRET: posting "
            "unsigned (ingest answers 401 unless it runs with HOTLINE_DEV=true or "
            "HOTLINE_INGEST_ALLOW_UNSIGNED=true)"
        )
    try:
        auth = None if secret is None else WebhookAuth(Signer(secret))
    except (ValueError, EmptyWebhookSecretError) as exc:  # never print the secret itself
        log.error("the webhook secret is not a whsec_<base64> secret (%s)", type(exc).__name__)
        return 2
    log.info(
        "posting to %s at speed %g (%s)",
        options.url,
        options.speed,
        "unsigned" if auth is None else "signed",
    )
    with make_client(settings.simulator_timeout_s, auth) as client:
        report = post_events(events, client, options)
    sys.stdout.write(report.summary() + "\n")
    return 1 if report.failed else 0


def _write(
    fmt: str, output: Path | None, calls: Sequence[CallEvent], agents: Sequence[AgentEvent]
) -> int:
    if fmt == "events":
        data = to_ndjson(calls)
    elif fmt == "agent-events":
        data = b"".join(a.model_dump_json().encode() + b"\n" for a in agents)
    elif fmt == "asterisk-queue-log":
        data = "".join(f"{line}\n" for line in queue_log_file.render(calls, agents).lines).encode()
    else:
        data = "".join(f"{line}\n" for line in connect_ctr_file.render(calls, agents)).encode()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        log.info("wrote %s (%d bytes) as %s", output, len(data), fmt)
    return 0
