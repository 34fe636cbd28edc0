"""The follower's loop without Kafka: lines to events, the position saved only after an
acknowledgement, a Kafka failure rewinds to it, backlog lines are marked as imported."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from hotline_providers.asterisk_queue_log import QueueLogAdapter
from hotline_providers.follow import Follower, FollowOptions, load_position, mark_backlog
from hotline_providers.http_endpoints import serve
from hotline_providers.metrics import FollowMetrics
from hotline_providers.model import Event
from hotline_providers.producing import DeliveryError
from hotline_schemas import CallEventV2, DeadLetter, Origin

SAMPLE = Path(__file__).parent / "samples" / "queue_log"
NOW = datetime(2012, 12, 3, 21, 0, tzinfo=UTC)  # the sample's evening, still going on


class FakeProducer:
    """Collects what was acknowledged; fails the next `fail` flushes."""

    def __init__(self, delivered: list[Event | DeadLetter], fail: int = 0) -> None:
        self.delivered, self.fail = delivered, fail
        self.pending: list[Event | DeadLetter] = []
        self.closed = False

    def send(self, event: Event) -> None:
        self.pending.append(event)

    def send_dead_letter(self, letter: DeadLetter) -> None:
        self.pending.append(letter)

    def flush(self) -> int:
        if self.fail:
            self.fail -= 1
            self.pending.clear()
            raise DeliveryError("broker gone")
        self.delivered.extend(self.pending)
        n, self.pending = len(self.pending), []
        return n

    def close(self, timeout_s: float = 10.0) -> None:
        self.closed = True


def follower(
    tmp_path: Path,
    producer: Any,
    clock: Callable[[], float] | None = None,
    registry: CollectorRegistry | None = None,
    **options: Any,
) -> Follower:
    delivered: list[Event | DeadLetter] = producer.delivered
    return Follower(
        tmp_path / "queue_log",
        tmp_path / "position.json",
        lambda: QueueLogAdapter(origin=Origin.LIVE),
        producer,
        lambda: FakeProducer(delivered),
        FollowOptions(
            source_format="asterisk-queue-log",
            poll_interval_s=0.01,
            flush_every_s=0.0,
            retry_s=0.3,  # long enough for the test to see it not ready
            **options,
        ),
        FollowMetrics.create(registry or CollectorRegistry()),
        from_start=True,
        now=lambda: NOW,
        **({"clock": clock} if clock else {}),
    )


def run_until(made: Follower, done: Any, timeout_s: float = 10.0) -> None:
    thread = threading.Thread(target=made.run)
    thread.start()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout_s)
    while not done() and datetime.now(UTC) < deadline:
        made.stop.wait(0.01)
    made.stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def expected_count() -> int:
    adapter = QueueLogAdapter()
    lines = SAMPLE.read_text().splitlines()
    results = [adapter.convert(n, line) for n, line in enumerate(lines, 1)]
    return sum(len(r.events) for r in results) + sum(1 for r in results if r.rejected)


def test_a_kafka_failure_rewinds_to_the_saved_position_and_loses_nothing(tmp_path: Path) -> None:
    (tmp_path / "queue_log").write_bytes(SAMPLE.read_bytes())
    delivered: list[Event | DeadLetter] = []
    producer = FakeProducer(delivered, fail=1)
    made = follower(tmp_path, producer)
    readiness: list[bool] = []

    def done() -> bool:
        readiness.append(made.ready())
        return len(delivered) >= expected_count() and readiness[-1]

    run_until(made, done)
    assert False in readiness  # not ready while Kafka failed
    assert readiness[-1]
    assert producer.closed  # the failed producer was dropped for a new one
    ids = [d.event_id for d in delivered if not isinstance(d, DeadLetter)]
    assert len(ids) == len(set(ids)) == expected_count() - 2  # two rejected lines
    assert sum(isinstance(d, DeadLetter) for d in delivered) == 2
    position, state = load_position(tmp_path / "position.json")
    assert position is not None
    assert position.offset == (tmp_path / "queue_log").stat().st_size
    assert set(state) == {"calls", "agents"}
    assert made.metrics.kafka_failures._value.get() == 1


def test_old_lines_are_marked_as_a_backlog() -> None:
    adapter = QueueLogAdapter(origin=Origin.LIVE)
    (event,) = adapter.convert(1, "1354555805|9.1|hotline|NONE|DID|70200000|86123456").events
    assert isinstance(event, CallEventV2)
    window = timedelta(minutes=5)
    at_once = event.occurred_at + timedelta(seconds=2)
    assert mark_backlog(event, at_once, window).origin is Origin.LIVE
    assert mark_backlog(event, at_once + timedelta(hours=1), window).origin is Origin.IMPORT


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_loop_that_stops_turning_is_neither_alive_nor_ready(tmp_path: Path) -> None:
    (tmp_path / "queue_log").write_bytes(SAMPLE.read_bytes())
    clock = [1000.0]
    registry = CollectorRegistry()
    made = follower(tmp_path, FakeProducer([]), lambda: clock[0], registry, alive_max_age_s=120.0)
    # Just started: the file is open and nothing is pending.
    server = serve("127.0.0.1", 0, registry, made.ready, made.alive)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert made.alive()
        assert made.ready()
        assert _status(f"{url}/healthz") == 200
        assert registry.get_sample_value("hotline_follow_ready") == 1.0

        clock[0] += 119.0  # waiting for Kafka or the file is still alive
        assert made.alive()
        clock[0] += 2.0  # but not a loop that stopped turning
        assert not made.alive()
        assert not made.ready()
        assert _status(f"{url}/healthz") == 503
        assert _status(f"{url}/readyz") == 503
        # The gauge is read when scraped, so it says so although the loop is not there to.
        assert registry.get_sample_value("hotline_follow_ready") == 0.0
    finally:
        server.shutdown()
        server.server_close()
        made.tailer.close()
