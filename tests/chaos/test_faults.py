"""The fault suite (issue 9, item 4): faults injected one at a time under load on a private
pipeline, then every acknowledged event compared with ClickHouse.

For each fault: the load generator posts one simulated evening of calls (ids prefixed with the
fault's name) at a bounded rate; the fault is injected after a warm-up while it posts; once the
load is done the consumer groups must catch up, every service must be ready, and then:
0 events lost, 0 duplicated in `call_events FINAL`, and every call whose `ended` event was
acknowledged has its complete record in `call_records FINAL`. Run: `make chaos`.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

import pytest

from chaos.compare import compare
from chaos.faults import FAULTS, PIPELINE, Context, Fault, Poison, expect_ready_again
from chaos.load import Load, make_calls
from chaos.report import RUN, Row
from chaos.services import Pipeline
from hotline_cli.lag import measure, pipeline_groups, wait_for_zero
from hotline_schemas.hours import load_schedule, next_opening_day

pytestmark = [
    pytest.mark.chaos,
    # The first fault also waits for the private stack to start.
    pytest.mark.timeout(900),
]

# Events per second: a few hundred, what enrich sustains on a busy 2-core machine.
RATE = float(os.environ.get("HOTLINE_CHAOS_RATE", "200"))
FIRST_EVENING = date(2013, 3, 4)  # a Monday: the line is open
SCHEDULE = load_schedule(None)
CATCH_UP_S = 300.0
# What each service logs when it rewinds a partition (offsets.py, the sink's rebalance).
REWINDS = {"enrich": "rewinding to", "sink": "to their committed offsets"}


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_nothing_lost_nothing_doubled_nothing_stuck(pipeline: Pipeline, fault: Fault) -> None:
    row = Row(fault.title)
    RUN.rows.append(row)
    started = time.monotonic()
    try:
        _run(pipeline, fault, row)
    except Exception as exc:
        # An error (a service that never became ready, a load that never ended) is a
        # failure of this fault too: the table says so.
        row.failures.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        raise
    finally:
        row.seconds = time.monotonic() - started
        row.passed = not row.failures
    assert not row.failures, "\n".join(row.failures)


def _run(pipeline: Pipeline, fault: Fault, row: Row) -> None:
    services = pipeline.services
    # Every fault starts from a pipeline that is ready: a fault never inherits the last one's.
    for name in PIPELINE:
        services[name].wait_ready(120)
    restarts = {name: services[name].restarts() for name in PIPELINE}
    rewinds = {name: services[name].mentions(text) for name, text in REWINDS.items()}

    # An opening evening near the fault's own week: a holiday (Easter Monday 2013 is the fifth
    # Monday) has only the closed message's short calls, a tenth of the load the fault needs.
    week = FIRST_EVENING + timedelta(weeks=FAULTS.index(fault))
    evening = next_opening_day(SCHEDULE, week - timedelta(days=1), 14)
    wanted = int(RATE * fault.load_seconds)
    events = make_calls(fault.name, evening, wanted)
    assert len(events) > wanted // 2, f"{evening}: {len(events)} events, not about {wanted}"
    load = Load(services.ingest_url, pipeline.secret, events, RATE).start()
    # The row shares the context's lists: what was noted survives an error that cuts it short.
    ctx = Context(
        pipeline.stack, services, pipeline.secret, load, fault.name, row.notes, row.failures
    )
    try:
        time.sleep(fault.warmup_s)
        fault.inject(ctx)
        result = load.join(timeout=600)
    finally:
        load.stop()  # an error above must not leave it posting into the next fault
    ctx.note(f"{len(events):,} events posted in {result.seconds:.0f} s")

    waited = time.monotonic()
    caught_up, lags = wait_for_zero(
        lambda: measure(pipeline.stack.bootstrap, pipeline_groups()), CATCH_UP_S
    )
    if caught_up:
        ctx.note(f"caught up {time.monotonic() - waited:.0f} s after the load")
    else:
        behind = ", ".join(
            f"{x.group} {x.topic} lag {x.lag} ({_partitions(pipeline, x.group, x.topic)})"
            for x in lags
            if x.lag
        )
        ctx.fail(f"consumer groups still behind {CATCH_UP_S:.0f} s after the load: {behind}")
    expect_ready_again(ctx, PIPELINE, time.monotonic(), within=60, quiet=True)
    if isinstance(fault, Poison):
        fault.check(ctx)

    client = pipeline.stack.clickhouse("reader")
    try:
        found = compare(client, f"{fault.name}-", result)
    finally:
        client.disconnect()
    ctx.failures.extend(found.problems())

    answers = {k: v for k, v in sorted(result.answers.items()) if k != "202"}
    if answers or result.retries:
        shown = ", ".join(f"{k} x{v}" for k, v in answers.items())
        ctx.note(f"ingest answered {shown}; {result.retries} request(s) retried")
    if result.given_up:
        ctx.note(f"{result.given_up} events given up after retrying (not expected)")
    if found.unacknowledged_stored:
        ctx.note(f"{found.unacknowledged_stored} stored events never acknowledged")
    if found.raw_rows > found.stored:
        ctx.note(f"{found.raw_rows - found.stored} re-inserted rows, collapsed by FINAL")
    restarted = {n: services[n].restarts() - before for n, before in restarts.items()}
    if any(restarted.values()):
        ctx.note("supervisor restarts: " + ", ".join(f"{n} {k}" for n, k in restarted.items() if k))
    rewound = {n: services[n].mentions(t) - rewinds[n] for n, t in REWINDS.items()}
    if any(rewound.values()):
        # The recovery paths were exercised, not only the happy one.
        ctx.note("partitions rewound: " + ", ".join(f"{n} {k}" for n, k in rewound.items() if k))
    crashed = [n for n, k in restarted.items() if k and not fault.may_restart(n)]
    if crashed:
        ctx.fail(f"exited under this fault (restarted by the supervisor): {', '.join(crashed)}")

    row.accepted = found.accepted
    row.lost = len(found.lost)
    row.duplicated = len(found.duplicated)
    row.records_expected = found.records_expected
    row.records_missing = len(found.records_missing)


def _partitions(pipeline: Pipeline, group: str, topic: str) -> str:
    """Committed/end offset per partition, for a lag that would not go away."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=pipeline.stack.bootstrap, group_id=group, enable_auto_commit=False
    )
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        ends = consumer.end_offsets(tps)
        return ", ".join(f"p{tp.partition} {consumer.committed(tp)}/{ends[tp]}" for tp in tps)
    finally:
        consumer.close()
