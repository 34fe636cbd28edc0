"""The pipeline under test: ingest, enrich and sink as subprocesses (`python -m hotline_<name>`)
on topics, consumer groups and a ClickHouse database unique to one benchmark run.

Everything it creates is removed by `close()`, which `__main__` calls even when a phase fails.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from clickhouse_driver import Client
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from benchmarks.settings import Settings, inherited_env
from hotline_schemas import topics
from hotline_simulator.signing import Signer, WebhookAuth, new_secret

log = logging.getLogger(__name__)

SERVICES = ("sink", "enrich", "ingest")
_SECRET = "benchmark-secret-not-for-real-numbers"  # noqa: S105 - simulated callers only


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique_prefix() -> str:
    return f"bench_{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4().hex[:6]}"


@dataclass
class Stack:
    settings: Settings
    prefix: str = field(default_factory=unique_prefix)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="hotline-bench-")
    )
    # Ingest verifies signatures as in production; the benchmark signs like the provider.
    webhook_secret: str = field(default_factory=new_secret)
    # The sink also stores call records and agent events (the provider-import figure).
    records_and_agents: bool = False

    def __post_init__(self) -> None:
        p = self.prefix
        self.raw, self.enriched = f"{p}.raw", f"{p}.enriched"
        self.raw_dlq, self.enriched_dlq = f"{p}.raw.dlq", f"{p}.enriched.dlq"
        self.records, self.agents = f"{p}.records", f"{p}.agents"
        self.database = p
        self.ingest_port, self.sink_metrics_port = free_port(), free_port()
        self.ingest_url = f"http://127.0.0.1:{self.ingest_port}"
        self.sink_metrics_url = f"http://127.0.0.1:{self.sink_metrics_port}/metrics"
        self.groups += [f"{p}-enrich", f"{p}-sink"]

    def auth(self) -> WebhookAuth:
        """httpx auth that signs every POST to ingest with this run's secret."""
        return WebhookAuth(Signer(self.webhook_secret))

    def admin(self) -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=self.settings.kafka.bootstrap_servers)

    def clickhouse(self) -> Client:
        ch = self.settings.clickhouse
        return Client(
            host=ch.host, port=ch.port, user=ch.user, password=ch.password.get_secret_value()
        )

    def env(self, instance: int = 0) -> dict[str, str]:
        """The services' environment; `instance` > 0 is a second worker of enrich and sink
        (same groups, its own ports and state folder) for the scale-out figures."""
        ch = self.settings.clickhouse
        return {
            **inherited_env(),
            "HOTLINE_KAFKA__BOOTSTRAP_SERVERS": self.settings.kafka.bootstrap_servers,
            "HOTLINE_CLICKHOUSE__HOST": ch.host,
            "HOTLINE_CLICKHOUSE__PORT": str(ch.port),
            "HOTLINE_CLICKHOUSE__USER": ch.user,
            "HOTLINE_CLICKHOUSE__PASSWORD": ch.password.get_secret_value(),
            "HOTLINE_CLICKHOUSE__DATABASE": self.database,
            "HOTLINE_PSEUDONYM_SECRET": _SECRET,
            "HOTLINE_INGEST_PORT": str(self.ingest_port),
            "HOTLINE_INGEST_WEBHOOK_SECRET": self.webhook_secret,
            "HOTLINE_INGEST_RAW_TOPIC": self.raw,
            "HOTLINE_INGEST_DEAD_LETTER_TOPIC": self.raw_dlq,
            "HOTLINE_ENRICH_APP_ID": f"{self.prefix}-enrich",
            "HOTLINE_ENRICH_RAW_TOPIC": self.raw,
            "HOTLINE_ENRICH_ENRICHED_TOPIC": self.enriched,
            "HOTLINE_ENRICH_DEAD_LETTER_TOPIC": self.raw_dlq,
            "HOTLINE_ENRICH_RECORDS_TOPIC": self.records,
            "HOTLINE_ENRICH_WEB_PORT": str(free_port()),
            "HOTLINE_ENRICH_METRICS_PORT": str(free_port()),
            "HOTLINE_ENRICH_STATE_DIR": str(Path(self._tmp.name) / f"enrich-{instance}"),
            "HOTLINE_SINK_TOPICS": json.dumps(
                [self.enriched, self.records, self.agents]
                if self.records_and_agents
                else [self.enriched]
            ),
            "HOTLINE_SINK_RECORD_TOPICS": json.dumps([self.records]),
            "HOTLINE_SINK_AGENT_TOPICS": json.dumps([self.agents]),
            "HOTLINE_SINK_DEAD_LETTER_TOPIC": self.enriched_dlq,
            "HOTLINE_SINK_GROUP_ID": f"{self.prefix}-sink",
            "HOTLINE_SINK_METRICS_PORT": str(
                self.sink_metrics_port if instance == 0 else free_port()
            ),
        }

    def start(self) -> None:
        admin = self.admin()
        try:
            parts = topics.RAW.partitions
            admin.create_topics(
                [
                    NewTopic(name, num_partitions=n, replication_factor=1)
                    for name, n in [
                        (self.raw, parts),
                        (self.enriched, parts),
                        (self.raw_dlq, 1),
                        (self.enriched_dlq, 1),
                        *(
                            [(self.records, parts), (self.agents, parts)]
                            if self.records_and_agents
                            else []
                        ),
                    ]
                ]
            )
        finally:
            admin.close()
        self.databases.append(self.database)
        env = self.env()
        migrate = subprocess.run(
            [sys.executable, "-m", "hotline_cli", "migrate"],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if migrate.returncode != 0:
            raise StackError(f"migrate failed: {migrate.stderr.decode(errors='replace')[-2000:]}")
        for name in SERVICES:
            log_file = (Path(self._tmp.name) / f"{name}.log").open("wb")
            self._logs.append(log_file)
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", f"hotline_{name}"],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def start_worker(self, name: str, instance: int) -> subprocess.Popen[bytes]:
        """Another worker of `name` (enrich or sink) in the same consumer group."""
        log_file = (Path(self._tmp.name) / f"{name}-{instance}.log").open("wb")
        self._logs.append(log_file)
        proc = subprocess.Popen(
            [sys.executable, "-m", f"hotline_{name}"],
            env=self.env(instance),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        self.procs[f"{name}-{instance}"] = proc
        return proc

    def stop_worker(self, key: str) -> None:
        proc = self.procs.pop(key)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def group_members(self, group: str) -> int:
        admin = self.admin()
        try:
            info = admin.describe_groups([group]).get(group, {})
        finally:
            admin.close()
        if info.get("group_state") != "Stable":
            return 0
        return len(info.get("members") or [])

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (Path(self._tmp.name) / f"{name}.log").read_text(errors="replace")[-3000:]
                raise StackError(f"{name} exited with {proc.returncode}:\n{tail}")

    def wait_ingest_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if httpx.get(f"{self.ingest_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise StackError(f"ingest not ready within {timeout_s:.0f} s")

    def close(self) -> None:
        """Stop the services, then delete every topic, group and database of this run."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log_file in self._logs:
            log_file.close()
        self._drop_kafka()
        self._drop_databases()
        self._tmp.cleanup()

    def _drop_kafka(self) -> None:
        try:
            admin = self.admin()
        except Exception as exc:  # cleanup must go on with the database
            log.warning("cleanup: Kafka unreachable (%r); topics %s.* remain", exc, self.prefix)
            return
        try:
            # Faust adds its own topics (assignor, changelogs), all named after the app id.
            ours = [t for t in admin.list_topics() if t.startswith(self.prefix)]
            if ours:
                admin.delete_topics(ours)
        except Exception as exc:
            log.warning("cleanup: deleting topics %s.*: %r", self.prefix, exc)
        for group in self.groups:
            try:
                admin.delete_groups([group])
            except Exception as exc:  # a group that never formed cannot be deleted
                log.debug("cleanup: group %s: %r", group, exc)
        admin.close()

    def _drop_databases(self) -> None:
        client = self.clickhouse()
        try:
            for db in self.databases:
                client.execute(f"DROP DATABASE IF EXISTS {db}")
        except Exception as exc:
            log.warning("cleanup: dropping %s failed: %r", self.databases, exc)
        finally:
            client.disconnect()
