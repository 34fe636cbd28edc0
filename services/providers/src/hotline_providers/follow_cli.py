"""`hotline follow`: the live mode, a service reading a growing queue_log into Kafka.

Metrics and readiness on HOTLINE_FOLLOW_METRICS_PORT (default 9467): `/metrics`, `/readyz`,
`/healthz` (503 when the loop has not turned for HOTLINE_FOLLOW_ALIVE_MAX_AGE_S). The position
is kept in HOTLINE_FOLLOW_POSITION_FILE (default
`<HOTLINE_FOLLOW_STATE_DIR>/<file name>.position.json`); SIGTERM or SIGINT stops it after
saving.
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from kafka.errors import KafkaError
from prometheus_client import REGISTRY

from hotline_providers import formats
from hotline_providers.follow import Follower, FollowOptions
from hotline_providers.http_endpoints import serve
from hotline_providers.metrics import FollowMetrics
from hotline_providers.model import Adapter
from hotline_providers.producing import EventProducer, MissingTopicsError
from hotline_providers.settings import FollowSettings, ProviderSettings
from hotline_schemas import Origin
from hotline_schemas.privacy import DeadLetterKeyError, load_keys

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "follow",
        help="follow a live Asterisk queue_log into Kafka (a service: metrics, readiness)",
        description=(
            "Read lines as Asterisk appends them to queue_log (tail -F: survives rotation) "
            "and produce their events as live traffic. Resumes from its saved position after "
            "a restart. Without a saved position it starts at the end of the file (load "
            "history with `hotline import`), or at its start with --from-start."
        ),
    )
    parser.add_argument(
        "--from",
        dest="format",
        choices=[formats.QUEUE_LOG],
        default=formats.QUEUE_LOG,
        help="the provider format (only asterisk-queue-log is a live log)",
    )
    parser.add_argument("--from-start", action="store_true", help="read the file from its start")
    parser.add_argument("file", nargs="?", type=Path, help="the queue_log (HOTLINE_FOLLOW_FILE)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = FollowSettings()
    file: Path | None = args.file or settings.file
    if file is None:
        log.error("no file to follow: give FILE or set HOTLINE_FOLLOW_FILE")
        return 2
    file = file.resolve()
    position_file = settings.position_file or settings.state_dir / f"{file.name}.position.json"
    fmt = formats.resolve(args.format, None)
    provider = ProviderSettings()
    try:
        keys = load_keys(settings.dead_letter_keys, "follow")
    except DeadLetterKeyError as exc:
        log.error("%s", exc)
        return 2

    def make_adapter() -> Adapter:
        return fmt.adapter(provider, Origin.LIVE)

    def make_producer() -> EventProducer:
        return EventProducer.connect(
            settings.kafka.bootstrap_servers, settings, f"{settings.kafka.client_id_prefix}-follow"
        )

    try:
        producer = make_producer()  # at start, a missing topic or Kafka is an error
    except MissingTopicsError as exc:
        log.error("%s", exc)
        return 2
    except KafkaError as exc:
        log.error("Kafka at %s: %r", settings.kafka.bootstrap_servers, exc)
        return 3
    options = FollowOptions(
        source_format=fmt.name,
        poll_interval_s=settings.poll_interval_s,
        flush_every_s=settings.flush_every_s,
        live_window_s=settings.live_window_s,
        ready_max_age_s=settings.ready_max_age_s,
        alive_max_age_s=settings.alive_max_age_s,
    )
    metrics = FollowMetrics.create(REGISTRY)
    follower = Follower(
        file,
        position_file,
        make_adapter,
        producer,
        make_producer,
        options,
        metrics,
        keys=keys,
        from_start=args.from_start,
    )
    server = serve(
        settings.metrics_host, settings.metrics_port, REGISTRY, follower.ready, follower.alive
    )

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %s: saving the position and stopping", signal.Signals(signum).name)
        follower.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "follow: %s -> %s, %s (position %s, metrics http://%s:%d/metrics)",
        file,
        settings.raw_topic,
        settings.agent_topic,
        position_file,
        settings.metrics_host,
        settings.metrics_port,
    )
    try:
        follower.run()
    finally:
        server.shutdown()
    return 0
