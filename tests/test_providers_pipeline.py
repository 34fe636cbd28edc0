"""Provider files through the real pipeline: `hotline import` (killed with SIGKILL and resumed,
then run again), `hotline follow` across a rotation and a restart, `hotline dlq replay`, and a
simulated evening imported as queue_log against the same evening as CallEvents.

Each test starts enrich and the sink as their own processes (`python -m ...`, as in
production) on topics, consumer groups and a ClickHouse database of its own, and runs the
provider commands as subprocesses (`python -m hotline_cli ...`).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from clickhouse_driver import Client

from hotline_cli.lag import measure, wait_for_zero
from hotline_providers.asterisk_queue_log import QueueLogAdapter
from hotline_providers.cdr_mapping import EXAMPLE
from hotline_providers.reading import records
from hotline_schemas import AgentEvent, CallEvent, CallEventV2
from hotline_schemas.config import ClickHouseConnection
from hotline_schemas.privacy import new_key
from hotline_simulator import queue_log_file
from hotline_simulator.model import SimulationConfig, evening_rng, simulate

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "providers-test-secret-0123456789"
SAMPLES = Path(__file__).resolve().parents[1] / "services" / "providers" / "tests" / "samples"


@dataclass
class Pipeline:
    env: dict[str, str]
    raw: str
    agents: str
    dlq: str
    database: str
    bootstrap: str
    clickhouse: ClickHouseConnection
    tmp: Path
    services: Any

    def hotline(
        self, *args: str, timeout: float = 300, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hotline_cli", *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        """`hotline <args>` in the background, its output in `<tmp>/<name>.log`."""
        with (self.tmp / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "hotline_cli", *args],
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]

    def caught_up(self, timeout_s: float = 240) -> None:
        pairs = [
            (self.env["HOTLINE_ENRICH_APP_ID"], self.raw),
            (self.env["HOTLINE_SINK_GROUP_ID"], self.env["ENRICHED"]),
            (self.env["HOTLINE_SINK_GROUP_ID"], self.env["RECORDS"]),
            (self.env["HOTLINE_SINK_GROUP_ID"], self.agents),
        ]
        deadline = time.monotonic() + timeout_s

        def probe() -> list[Any]:
            self.services.check_alive()
            return measure(self.bootstrap, pairs)

        done, lags = wait_for_zero(probe, max(deadline - time.monotonic(), 1), interval_s=1.0)
        assert done, f"the pipeline did not catch up: {lags}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        login = self.clickhouse
        client = Client(
            host=login.host,
            port=login.port,
            user=login.user,
            password=login.password.get_secret_value(),
        )
        try:
            rows: list[tuple[Any, ...]] = client.execute(sql.format(db=self.database))
            return rows
        finally:
            client.disconnect()

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count() FROM {{db}}.{table} FINAL")[0][0])

    def end_offsets(self, topic: str) -> int:
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap)
        try:
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
            return sum(consumer.end_offsets(parts).values())
        finally:
            consumer.close()

    def produce(self, topic: str, messages: list[tuple[str, bytes]]) -> None:
        from kafka import KafkaProducer

        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        for key, value in messages:
            producer.send(topic, key=key.encode(), value=value)
        producer.flush()
        producer.close()


@pytest.fixture
def pipeline(
    kafka_bootstrap: str,
    make_topics: Callable[..., list[str]],
    clickhouse_env: Callable[..., dict[str, str]],
    clickhouse_writer: ClickHouseConnection,
    clickhouse_database: str,
    unique_name: str,
    tmp_path: Path,
    free_port: Callable[[], int],
    service_processes: Any,
) -> Pipeline:
    raw, enriched, records_topic, agents, raw_dlq, sink_dlq = make_topics(
        f"{unique_name}.raw",
        f"{unique_name}.enriched",
        f"{unique_name}.records",
        f"{unique_name}.agents",
        f"{unique_name}.raw.dlq",
        f"{unique_name}.sink.dlq",
    )
    env = {
        **os.environ,
        "ENRICHED": enriched,
        "RECORDS": records_topic,
        "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        **clickhouse_env("writer", clickhouse_database),
        "HOTLINE_PSEUDONYM_SECRET": SECRET,
        "HOTLINE_DEAD_LETTER_KEYS": new_key(),
        "HOTLINE_ENRICH_APP_ID": f"{unique_name}-enrich",
        "HOTLINE_ENRICH_RAW_TOPIC": raw,
        "HOTLINE_ENRICH_ENRICHED_TOPIC": enriched,
        "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": raw_dlq,
        "HOTLINE_ENRICH_RECORDS_TOPIC": records_topic,
        "HOTLINE_ENRICH_WEB_PORT": str(free_port()),
        "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
        "HOTLINE_ENRICH_STATE_DIR": str(tmp_path / "enrich"),
        "HOTLINE_SINK_TOPICS": json.dumps([enriched, records_topic, agents]),
        "HOTLINE_SINK_RECORD_TOPICS": json.dumps([records_topic]),
        "HOTLINE_SINK_AGENT_TOPICS": json.dumps([agents]),
        "HOTLINE_SINK_DEAD_LETTER_TOPIC": sink_dlq,
        "HOTLINE_SINK_GROUP_ID": f"{unique_name}-sink",
        "HOTLINE_SINK_METRICS_PORT": str(free_port()),
        "HOTLINE_IMPORT_RAW_TOPIC": raw,
        "HOTLINE_IMPORT_AGENT_TOPIC": agents,
        "HOTLINE_IMPORT_DEAD_LETTER_TOPIC": raw_dlq,
        "HOTLINE_IMPORT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "HOTLINE_FOLLOW_RAW_TOPIC": raw,
        "HOTLINE_FOLLOW_AGENT_TOPIC": agents,
        "HOTLINE_FOLLOW_DEAD_LETTER_TOPIC": raw_dlq,
        "HOTLINE_FOLLOW_STATE_DIR": str(tmp_path / "follow"),
        "HOTLINE_FOLLOW_METRICS_PORT": str(free_port()),
        "HOTLINE_FOLLOW_POLL_INTERVAL_S": "0.05",
        "HOTLINE_DLQ_RAW_TOPIC": raw,
        "HOTLINE_DLQ_AGENT_TOPIC": agents,
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "hotline_cli", "migrate"], env=env, capture_output=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    for name in ("sink", "enrich"):
        service_processes.start(name, env)
    _settled(kafka_bootstrap, [env["HOTLINE_SINK_GROUP_ID"], env["HOTLINE_ENRICH_APP_ID"]])
    return Pipeline(
        env,
        raw,
        agents,
        raw_dlq,
        clickhouse_database,
        kafka_bootstrap,
        clickhouse_writer,
        tmp_path,
        service_processes,
    )


def _settled(bootstrap: str, groups: list[str], timeout_s: float = 120) -> None:
    """Wait until both consumer groups have been Stable for a few seconds: a kafka-python
    consumer rebalances again right after its first join (before the sink learnt to rewind
    partitions it gets back, that lost what it had fetched); producing into a settled pipeline
    keeps these tests about the providers."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    deadline, stable_since = time.monotonic() + timeout_s, None
    try:
        while time.monotonic() < deadline:
            states = {g["group_state"] for g in admin.describe_groups(groups).values()}
            if states == {"Stable"}:
                stable_since = stable_since or time.monotonic()
                if time.monotonic() - stable_since >= 3:
                    return
            else:
                stable_since = None
            time.sleep(0.5)
    finally:
        admin.close()
    pytest.fail(f"consumer groups {groups} never settled")


@dataclass(frozen=True)
class Expected:
    call_events: int
    agent_events: int
    calls: int


def _expected(*files: Path) -> Expected:
    adapter = QueueLogAdapter()
    call_ids, agent_ids, calls = set(), set(), set()
    for path in files:
        with path.open("rb") as f:
            for record in records(f):
                for event in adapter.convert(record.line, record.text).events:
                    if isinstance(event, CallEventV2):
                        call_ids.add(event.event_id)
                        calls.add(event.call_id)
                    else:
                        agent_ids.add(event.event_id)
    return Expected(len(call_ids), len(agent_ids), len(calls))


def _write_evenings(path: Path, days: list[date], seed: int = 8) -> list[str]:
    calls: list[CallEvent] = []
    agents: list[AgentEvent] = []
    for day in days:
        sim = simulate(day, SimulationConfig(), evening_rng(seed, day))
        calls += sim.calls
        agents += sim.agents
    lines = queue_log_file.render(calls, agents).lines
    path.write_text("".join(f"{line}\n" for line in lines))
    return lines


def _stored(pipe: Pipeline) -> tuple[int, int, int]:
    return pipe.count("call_events"), pipe.count("agent_events"), pipe.count("call_records")


def test_import_resumes_after_kill_9_and_importing_again_adds_nothing(pipeline: Pipeline) -> None:
    pipe = pipeline
    log = pipe.tmp / "queue_log"
    days = [date(2013, 3, d) for d in (3, 4, 5, 6, 7)]
    _write_evenings(log, days)
    expected = _expected(log)
    checkpoints = pipe.tmp / "checkpoints"

    # Killed as soon as the first checkpoint is on disk: mid-file, records in flight.
    importer = pipe.start(
        "import",
        "import",
        "--from",
        "asterisk-queue-log",
        str(log),
        HOTLINE_IMPORT_CHECKPOINT_EVERY_RECORDS="300",
    )
    deadline = time.monotonic() + 120
    saved: dict[str, Any] = {}
    while time.monotonic() < deadline and importer.poll() is None:
        found = list(checkpoints.glob("import-*.json"))
        if found:
            try:
                saved = json.loads(found[0].read_text())
            except (OSError, ValueError):
                continue
            if saved["files"][0]["offset"] > 0:
                importer.send_signal(signal.SIGKILL)
                break
        time.sleep(0.005)
    importer.wait(timeout=30)
    assert importer.returncode == -signal.SIGKILL, pipe.log("import")
    read_before_kill = saved["files"][0]["records"]
    assert 0 < read_before_kill < len(log.read_text().splitlines())

    resumed = pipe.hotline("import", "--from", "asterisk-queue-log", str(log))
    assert resumed.returncode == 0, resumed.stderr
    assert "(resumed)" in resumed.stdout
    assert f"already imported {read_before_kill:,} records" in resumed.stdout
    pipe.caught_up()
    assert _stored(pipe) == (expected.call_events, expected.agent_events, expected.calls)
    sent_once = pipe.end_offsets(pipe.raw)
    assert sent_once >= expected.call_events  # what was in flight at the kill went twice

    # The same command again: everything is already imported, nothing is sent.
    again = pipe.hotline("import", "--from", "asterisk-queue-log", str(log))
    assert again.returncode == 0, again.stderr
    assert "produced 0 events" in again.stdout
    assert pipe.end_offsets(pipe.raw) == sent_once

    # Without the checkpoint: every event is sent again, and FINAL results do not change.
    restart = pipe.hotline("import", "--restart", "--from", "asterisk-queue-log", str(log))
    assert restart.returncode == 0, restart.stderr
    assert pipe.end_offsets(pipe.raw) >= sent_once + expected.call_events
    pipe.caught_up()
    assert _stored(pipe) == (expected.call_events, expected.agent_events, expected.calls)
    (origins,) = pipe.query("SELECT groupUniqArray(origin) FROM {db}.agent_events")
    assert origins[0] == ["import"]


def test_follow_reads_across_a_rotation_and_a_restart(pipeline: Pipeline) -> None:
    pipe = pipeline
    days = [date(2013, 3, 17), date(2013, 3, 18)]
    lines = _write_evenings(pipe.tmp / "whole", days, seed=3)
    expected = _expected(pipe.tmp / "whole")
    third = len(lines) // 3
    first, second, rest = lines[:third], lines[third : 2 * third], lines[2 * third :]
    log = pipe.tmp / "asterisk" / "queue_log"
    log.parent.mkdir()
    log.write_text("")
    url = f"http://127.0.0.1:{pipe.env['HOTLINE_FOLLOW_METRICS_PORT']}"

    def start() -> subprocess.Popen[bytes]:
        follower = pipe.start("follow", "follow", "--from", "asterisk-queue-log", str(log))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert follower.poll() is None, pipe.log("follow")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    return follower
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail("the follower never became ready")

    def append(part: list[str]) -> None:
        with log.open("a") as f:
            for line in part:
                f.write(line + "\n")

    follower = start()
    append(first[: len(first) // 2])
    time.sleep(0.5)
    append(first[len(first) // 2 :])
    log.rename(log.with_name("queue_log.1"))  # Asterisk's logger rotate
    log.write_text("")
    append(second)
    time.sleep(2)
    metrics = httpx.get(f"{url}/metrics", timeout=5).text
    assert "hotline_follow_rotations 1.0" in metrics
    follower.send_signal(signal.SIGTERM)  # saves its position
    assert follower.wait(timeout=30) == 0
    append(rest)  # written while the follower is down ...
    log.rename(log.with_name("queue_log.2"))  # ... and rotated away before it comes back
    log.write_text("")
    follower = start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (pipe.end_offsets(pipe.raw), pipe.end_offsets(pipe.agents)) >= (
                expected.call_events,
                expected.agent_events,
            ):
                break
            time.sleep(0.5)
    finally:
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(timeout=30) == 0
    pipe.caught_up()
    assert _stored(pipe) == (expected.call_events, expected.agent_events, expected.calls)
    # 2013 lines are far older than the live window: marked as backlog, never timed.
    (origins,) = pipe.query("SELECT groupUniqArray(origin) FROM {db}.agent_events")
    assert origins[0] == ["import"]


def test_dlq_replay_sends_what_now_passes_and_replaying_twice_adds_nothing(
    pipeline: Pipeline,
) -> None:
    pipe = pipeline
    export = SAMPLES / "cdr_export.csv"
    imported = pipe.hotline("import", "--from", "cdr-csv", "--mapping", str(EXAMPLE), str(export))
    assert imported.returncode == 1, imported.stderr  # six rows rejected
    assert "rejected 6" in imported.stdout
    listed = pipe.hotline("dlq", "list", "--topic", pipe.dlq)
    assert listed.returncode == 0, listed.stderr
    letters = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(x["stage"], x["source"]) for x in letters] == [("import", "cdr-csv")] * 6
    assert "86123456" not in listed.stdout  # no payload, no caller number
    pipe.caught_up()
    assert pipe.count("call_records") == 7

    # The provider's export had two cases the mapping did not cover: fix the mapping.
    fixed = pipe.tmp / "fixed.toml"
    fixed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            'ambiguous_times = "reject"', 'ambiguous_times = "earlier"'
        )
        + '"Voicemail" = "caller_hangup"\n'
    )
    before = pipe.end_offsets(pipe.raw)
    dry = pipe.hotline("dlq", "replay", "--topic", pipe.dlq, "--mapping", str(fixed), "--dry-run")
    assert "would replay 2 (" in dry.stdout, dry.stdout + dry.stderr
    assert pipe.end_offsets(pipe.raw) == before  # a dry run sends nothing
    for _ in range(2):  # replaying twice changes nothing in FINAL results
        replay = pipe.hotline("dlq", "replay", "--topic", pipe.dlq, "--mapping", str(fixed))
        assert replay.returncode == 1, replay.stderr  # four rows still fail
        assert "replayed 2 (" in replay.stdout
        assert "still failing 4" in replay.stdout
        pipe.caught_up()
        assert pipe.count("call_records") == 9
    ids = pipe.query(
        "SELECT call_id FROM {db}.call_records FINAL "
        "WHERE call_id IN ('cdr-example:100239', 'cdr-example:100240') ORDER BY call_id"
    )
    assert [r[0] for r in ids] == ["cdr-example:100239", "cdr-example:100240"]
    recent = pipe.hotline("dlq", "list", "--topic", pipe.dlq, "--since", "1d")
    assert len(recent.stdout.splitlines()) == 6


def _second(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def test_a_simulated_evening_as_queue_log_gives_the_same_call_records_as_its_events(
    pipeline: Pipeline,
) -> None:
    pipe = pipeline
    day = date(2013, 3, 31)  # the Sunday daylight saving began
    sim = simulate(day, SimulationConfig(), evening_rng(2013, day))
    written = queue_log_file.render(sim.calls, sim.agents)
    log = pipe.tmp / "queue_log"
    log.write_text("".join(f"{line}\n" for line in written.lines))

    # The evening as the provider would post it (CallEvents, AgentEvents) ...
    pipe.produce(pipe.raw, [(e.call_id, e.model_dump_json().encode()) for e in sim.calls])
    pipe.produce(pipe.agents, [(a.agent_id, a.model_dump_json().encode()) for a in sim.agents])
    # ... and as its PBX logged it.
    imported = pipe.hotline("import", "--from", "asterisk-queue-log", str(log))
    assert imported.returncode == 0, imported.stderr
    pipe.caught_up()

    columns = [
        "call_id",
        "started_at",
        "offered_at",
        "queued_at",
        "answered_at",
        "abandoned_at",
        "ended_at",
        "wait_seconds",
        "talk_seconds",
        "outcome",
        "closed_reason",
        "within_hours",
        "topic",
        "topic_source",
        "in_scope",
        "wrap_up_code",
        "queue",
        "agent_id",
        "line",
        "municipality_code",
        "municipality_name",
        "in_catchment",
        "caller_postcode",
        "caller_key",
    ]
    rows = pipe.query(f"SELECT {', '.join(columns)} FROM {{db}}.call_records FINAL")
    by_id = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    calls = {e.call_id for e in sim.calls}
    assert len(by_id) == 2 * len(calls)
    exact = [
        "started_at",
        "offered_at",
        "queued_at",
        "answered_at",
        "abandoned_at",
        "closed_reason",
        "within_hours",
        "topic",
        "topic_source",
        "in_scope",
        "wrap_up_code",
        "agent_id",
        "line",
        "municipality_code",
        "municipality_name",
        "in_catchment",
        "caller_postcode",
        "caller_key",
    ]
    differences: Counter[str] = Counter()
    for call_id in calls:
        posted, logged = by_id[call_id], by_id[f"asterisk:{written.uniqueids[call_id]}"]
        for name in exact:
            if posted[name] != logged[name]:
                differences[name] += 1
        if posted["queued_at"] is not None and posted["queue"] != logged["queue"]:
            differences["queue"] += 1
        # Whole seconds in queue_log: durations agree to within a second ...
        for name in ("wait_seconds", "talk_seconds"):
            a, b = posted[name], logged[name]
            if (a is None) != (b is None) or (a is not None and abs(a - b) > 1):
                differences[name] += 1
        ends = posted["ended_at"], logged["ended_at"]
        if ends[0] is None or ends[1] is None or abs((ends[0] - ends[1]).total_seconds()) > 1:
            differences["ended_at"] += 1
        # ... so a wait within a second of the 5 s short-abandon threshold may fall either side.
        if posted["outcome"] != logged["outcome"]:
            near = posted["wait_seconds"] is not None and abs(posted["wait_seconds"] - 5) <= 1
            if not (
                near and {posted["outcome"], logged["outcome"]} == {"abandoned", "short_abandon"}
            ):
                differences["outcome"] += 1
    assert differences == Counter()

    # Agents: the same states at the same seconds, for the same calls.
    back = {f"asterisk:{u}": c for c, u in written.uniqueids.items()}
    stored = pipe.query(
        "SELECT agent_id, type, toUnixTimestamp(occurred_at), reason, call_id, source "
        "FROM {db}.agent_events FINAL"
    )
    from_log = Counter(
        (a, t, s, r, back.get(c, c) if c else None) for a, t, s, r, c, src in stored if src
    )
    posted_agents = Counter((a, t, s, r, c) for a, t, s, r, c, src in stored if not src)
    by_source = pipe.query("SELECT source, count() FROM {db}.agent_events GROUP BY source")
    assert from_log == posted_agents, (by_source, pipe.end_offsets(pipe.agents))
    assert sum(posted_agents.values()) == len(sim.agents)
    expected_states = Counter(
        (a.agent_id, a.type.value, _second(a.occurred_at), a.reason, a.call_id) for a in sim.agents
    )
    assert posted_agents == expected_states
    assert pipe.end_offsets(pipe.dlq) == 0  # the import rejected nothing
