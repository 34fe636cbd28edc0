"""The faults, injected one at a time while the load generator posts.

Each fault's `inject` runs in the test's thread while the load runs in its own; it notes what
it saw (for the table) and records any expectation that failed (the test asserts there are
none). Times are seconds since the fault itself, so the notes read as a timeline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from chaos import poison
from chaos.load import Load
from chaos.services import Services
from chaos.stack import PrivateStack
from hotline_schemas import parse_call_event, topics


@dataclass
class Context:
    stack: PrivateStack
    services: Services
    secret: str
    load: Load
    prefix: str
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def fail(self, text: str) -> None:
        self.failures.append(text)


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def expect_not_ready(ctx: Context, names: tuple[str, ...], since: float, within: float) -> None:
    """Each service must stop reporting ready (503, or no answer at all) while its
    dependency is down; a service that stays 'ready' would hide an outage from Kubernetes."""
    seen = []
    for name in names:
        service = ctx.services[name]
        deadline = since + within
        answer = service.ready()
        while answer is True and time.monotonic() < deadline:
            time.sleep(0.5)
            answer = service.ready()
        if answer is True:
            ctx.fail(f"{name} still reported ready {within:.0f} s into the outage")
        else:
            how = "503" if answer is False else "no answer"
            seen.append(f"{name} {time.monotonic() - since:.0f} s ({how})")
    if seen:
        ctx.note("not ready: " + ", ".join(seen))


def expect_ready_again(
    ctx: Context, names: tuple[str, ...], since: float, within: float, quiet: bool = False
) -> None:
    """Each service must report ready again by itself (restarts by the supervisor allowed)."""
    seen = []
    for name in names:
        try:
            ctx.services[name].wait_ready(max(1.0, within - (time.monotonic() - since)))
            seen.append(f"{name} {time.monotonic() - since:.0f} s")
        except (TimeoutError, RuntimeError) as exc:
            ctx.fail(f"{name} never ready again: {str(exc)[-400:]}")
    if seen and not quiet:
        ctx.note("ready again after: " + ", ".join(seen))


PIPELINE = ("ingest", "enrich", "sink")


@dataclass(frozen=True)
class Fault:
    name: str  # test id and id prefix
    title: str  # the table's first column
    load_seconds: float
    warmup_s: float = 10.0

    def inject(self, ctx: Context) -> None:
        raise NotImplementedError

    def may_restart(self, service: str) -> bool:
        """Whether `service` may exit (and be restarted by its supervisor) under this fault.
        Nothing may crash on poison input or a rebalance; a dependency's outage may be met
        by exiting and being restarted, as Kubernetes would."""
        return False


class Control(Fault):
    def inject(self, ctx: Context) -> None:
        ctx.note("no fault: the harness's own baseline")


class KafkaKill(Fault):
    down_s = 20.0

    def may_restart(self, service: str) -> bool:
        return True

    def inject(self, ctx: Context) -> None:
        killed = time.monotonic()
        ctx.stack.kill_kafka()
        expect_not_ready(ctx, PIPELINE, killed, within=30)
        time.sleep(max(0.0, self.down_s - (time.monotonic() - killed)))
        ctx.stack.start_kafka()
        back = time.monotonic()
        ctx.note(f"broker down {back - killed:.0f} s (kill -9, then kafka.sh start)")
        expect_ready_again(ctx, PIPELINE, back, within=180)


class ClickHouseStop(Fault):
    down_s = 60.0

    def may_restart(self, service: str) -> bool:
        return True

    def inject(self, ctx: Context) -> None:
        stopped = time.monotonic()
        ctx.stack.stop_clickhouse()
        expect_not_ready(ctx, ("sink",), stopped, within=20)
        time.sleep(max(0.0, self.down_s - (time.monotonic() - stopped)))
        ctx.stack.start_clickhouse()
        back = time.monotonic()
        ctx.note(f"ClickHouse down {back - stopped:.0f} s")
        expect_ready_again(ctx, PIPELINE, back, within=120)


@dataclass(frozen=True)
class ServiceKill(Fault):
    """kill -9 one service process, once per entry of `then`; the supervisor must start it
    again every time. After each restart the next kill waits `then[i]` seconds, or (None)
    until the service is ready. Killing enrich again while it recovers (its group still holds
    the dead members, so it is assigned twice) is what used to leave its committed offset
    behind for good (see services/enrich/src/hotline_enrich/watch.py)."""

    then: tuple[float | None, ...] = (None,)

    @property
    def target(self) -> str:
        return self.name.removesuffix("-kill")

    def may_restart(self, service: str) -> bool:
        return service == self.target

    def inject(self, ctx: Context) -> None:
        service = ctx.services[self.target]
        steps = []
        for n, wait in enumerate(self.then, start=1):
            before = service.restarts()
            killed = time.monotonic()
            service.kill9()
            if not wait_until(lambda before=before: service.restarts() > before, 30):
                ctx.fail(f"no restart of {service.name} within 30 s of kill {n}")
                return
            if wait is not None:
                time.sleep(wait)
                steps.append(f"killed again {time.monotonic() - killed:.0f} s later")
                continue
            try:
                service.wait_ready(180)
            except (TimeoutError, RuntimeError) as exc:
                ctx.fail(f"{service.name} never ready after kill {n}: {str(exc)[-400:]}")
                return
            steps.append(f"ready {time.monotonic() - killed:.0f} s later")
        ctx.note(f"{len(self.then)} kill(s), each restarted by the supervisor: " + ", ".join(steps))


class ExtraWorkers(Fault):
    """A second enrich and a second sink join the groups under load and leave (SIGTERM, as a
    scale-down does) `stay_s` later: partitions move to them and back."""

    stay_s = 30.0

    def inject(self, ctx: Context) -> None:
        extra = [ctx.services.make("enrich", "enrich-2"), ctx.services.make("sink", "sink-2")]
        joined = time.monotonic()
        for service in extra:
            service.start()
        expect_ready_again(ctx, ("enrich-2", "sink-2"), joined, within=120)
        time.sleep(max(0.0, self.stay_s - (time.monotonic() - joined)))
        leaving = time.monotonic()
        stopped = []
        for service in extra:
            # One after the other; a worker that does not stop on SIGTERM is killed after
            # 45 s, as Kubernetes does at the end of a pod's grace period.
            asked = time.monotonic()
            graceful = service.stop(timeout=45)
            how = "stopped" if graceful else "did not stop on SIGTERM, killed"
            stopped.append(f"{service.name} {how} after {time.monotonic() - asked:.0f} s")
        left = time.monotonic()
        ctx.note(f"joined for {leaving - joined:.0f} s; then " + ", ".join(stopped))
        expect_ready_again(ctx, ("enrich", "sink"), left, within=120)


class Poison(Fault):
    def inject(self, ctx: Context) -> None:
        good = {
            "schema_version": 1,
            "event_id": f"{ctx.prefix}-mixed-good",
            "call_id": f"{ctx.prefix}-mixed-call",
            "type": "ended",
            "occurred_at": "2013-03-04T18:50:00+01:00",
            "line": "+4570200000",
        }
        posts = [*poison.posts(), poison.mixed(good)]
        answers = poison.post_all(ctx.services.ingest_url, ctx.secret, posts)
        wrong = []
        for post in posts:
            got = answers[post.marker].status_code
            if got != post.status:
                wrong.append(f"{post.marker}: {got} (expected {post.status})")
        if wrong:
            ctx.fail("ingest answered " + ", ".join(wrong))
        mixed = answers["mixedyearmax"]
        if mixed.status_code == 422 and mixed.json().get("accepted") == 1:
            # Acknowledged like any load event: it must reach ClickHouse with its record.
            with ctx.load.lock:
                ctx.load.result.acked[good["event_id"]] = parse_call_event(good)
        statuses = sorted({a.status_code for a in answers.values()})
        ctx.note(f"{len(posts)} poison requests to ingest answered {statuses}")
        poison.produce(ctx.stack.bootstrap, topics.RAW.name, poison.raw_messages())
        poison.produce(ctx.stack.bootstrap, topics.ENRICHED.name, poison.enriched_messages())
        poison.produce(ctx.stack.bootstrap, topics.RECORDS.name, poison.record_messages())
        ctx.note(
            f"{len(poison.raw_messages())} straight onto the raw topic, "
            f"{len(poison.enriched_messages()) + len(poison.record_messages())} onto the "
            "sink's topics"
        )
        # Dead letters and ClickHouse are checked once the pipeline has caught up (check).

    @staticmethod
    def check(ctx: Context) -> None:
        letters = poison.dead_letters(ctx.stack.bootstrap, ctx.stack.dead_letter_keys)
        expected: list[tuple[str, str]] = [
            (p.marker, "ingest") for p in [*poison.posts(), poison.mixed({})] if p.dead_letter
        ]
        expected += [(m, "enrich") for m in poison.raw_messages()]
        expected += [(m, "sink") for m in poison.enriched_messages()]
        expected += [(m, "sink") for m in poison.record_messages()]
        missing = [
            f"{marker} ({stage})"
            for marker, stage in expected
            if not any(x.stage == stage for x in poison.find(letters, marker))
        ]
        if missing:
            ctx.fail("no dead letter for " + ", ".join(missing))
        ctx.note(f"{len(expected) - len(missing)} of {len(expected)} expected dead letters found")
        client = ctx.stack.clickhouse("reader")
        try:
            (stored,) = client.execute(
                "SELECT count() FROM hotline.call_events WHERE position(event_id, %(m)s) > 0",
                {"m": poison.MARK},
            )[0]
        finally:
            client.disconnect()
        if stored:
            ctx.fail(f"{stored} poison row(s) reached call_events")


FAULTS: list[Fault] = [
    Control("control", "none (control run)", load_seconds=30),
    KafkaKill("kafka-kill", "Kafka broker kill -9, restarted 20 s later", load_seconds=75),
    ClickHouseStop("clickhouse-stop", "ClickHouse stopped 60 s, then started", load_seconds=90),
    ServiceKill(
        "enrich-kill",
        "enrich kill -9 three times, once while recovering (the supervisor restarts it)",
        load_seconds=60,
        then=(4.0, None, None),
    ),
    ServiceKill(
        "sink-kill",
        "sink kill -9 three times (the supervisor restarts it)",
        load_seconds=50,
        then=(None, None, None),
    ),
    ExtraWorkers(
        "extra-workers", "a second enrich and sink join, leave 30 s later", load_seconds=60
    ),
    Poison(
        "poison", "poison inputs (issue 9) via ingest and straight onto the topics", load_seconds=30
    ),
]
