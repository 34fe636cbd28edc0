"""`hotline retention`, `hotline erase` and topic retention: the pure parts (number parsing,
configuration, topic configs), then the commands as an operator runs them, on the real 18.16
server and Kafka broker, each with its own database and topic."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from hotline_cli.erase_cli import NumberError, e164
from hotline_cli.settings import Settings
from hotline_enrich.pseudonym import caller_key
from hotline_schemas import topics
from hotline_schemas.config import Retention

NUMBER = "+4586123456"
SECRET = "erase-test-secret-0123456789"


@pytest.mark.parametrize(
    "typed",
    [
        "+4586123456",
        "+45 86 12 34 56",
        "004586123456",
        "86123456",
        "86-12-34-56",
        "(+45) 8612 3456",
    ],
)
def test_a_typed_number_becomes_the_e164_enrich_pseudonymised(typed: str) -> None:
    assert e164(typed) == NUMBER


@pytest.mark.parametrize("typed", ["", "4321", "+45 86 12 34 5x", "hello"])
def test_a_non_number_is_refused_without_repeating_it(typed: str) -> None:
    with pytest.raises(NumberError) as caught:
        e164(typed)
    assert str(caught.value) == "not a phone number: give it as +45 12 34 56 78 or 12345678"


def test_topic_retention_is_declared_and_overridable() -> None:
    default = Retention()
    assert topics.retention_days(topics.RAW, default) == 7
    assert topics.retention_days(topics.ENRICHED, default) == 14
    dlq = topics.by_name("hotline.call-events.raw.dlq")
    assert topics.retention_days(dlq, default) == 731
    three = Retention(topic_days={topics.RAW.name: 3})
    assert topics.kafka_configs(topics.RAW, three) == {
        "retention.ms": str(3 * 86_400_000),
        "segment.ms": str(3 * 86_400_000 // 7),
    }
    # Long retention keeps Kafka's weekly segments; short never goes below an hour.
    assert topics.kafka_configs(dlq, default)["segment.ms"] == str(7 * 86_400_000)
    tiny = Retention(topic_days={topics.RAW.name: 0.01})
    assert topics.kafka_configs(topics.RAW, tiny)["segment.ms"] == str(3_600_000)


def test_retention_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_RETENTION__EVENTS_DAYS", "400")
    monkeypatch.setenv("HOTLINE_RETENTION__TOPIC_DAYS", '{"hotline.call-events.raw": 2}')
    settings = Settings()
    assert settings.retention.events_days == 400
    assert settings.retention.records_days == 731
    assert topics.retention_days(topics.RAW, settings.retention) == 2
    monkeypatch.setenv("HOTLINE_RETENTION__TOPIC_DAYS", '{"hotline.call-events.rwa": 2}')
    with pytest.raises(ValidationError, match="unknown topics"):
        Settings()
    monkeypatch.setenv("HOTLINE_RETENTION__TOPIC_DAYS", '{"hotline.call-events.raw": 0}')
    with pytest.raises(ValidationError, match="positive"):
        Settings()


def test_settings_errors_never_echo_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from hotline_enrich.settings import Settings as EnrichSettings

    monkeypatch.setenv("HOTLINE_CLICKHOUSE__PASSWORD", "ch-password-visible")
    monkeypatch.setenv("HOTLINE_PSEUDONYM_SECRET", "short-visible")
    monkeypatch.setenv("HOTLINE_DEAD_LETTER_KEYS", "dead-letter-key-visible")
    monkeypatch.setenv("HOTLINE_RETENTION__TOPIC_DAYS", '{"no-such-topic": 1}')
    for settings in (Settings, EnrichSettings):
        with pytest.raises(ValidationError) as caught:
            settings()
        assert "visible" not in str(caught.value)


def test_the_pseudonym_secret_is_enrichs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.delenv("HOTLINE_DEV", raising=False)
    assert Settings().pseudonym_key() is None
    monkeypatch.setenv("HOTLINE_DEV", "true")
    from hotline_enrich.settings import DEV_SECRET

    assert Settings().pseudonym_key() == DEV_SECRET.encode()
    monkeypatch.setenv("HOTLINE_PSEUDONYM_SECRET", SECRET)
    assert Settings().pseudonym_key() == SECRET.encode()


# --- as an operator runs them --------------------------------------------------------------


def _hotline(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotline_cli", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def writer(
    clickhouse_env: Callable[..., dict[str, str]], clickhouse_database: str
) -> dict[str, str]:
    env = {**clickhouse_env("writer", clickhouse_database), "HOTLINE_PSEUDONYM_SECRET": SECRET}
    migrated = _hotline(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    return env


def _store_call(client: Any, database: str, key: str | None, call_id: str) -> None:
    client.execute(
        f"INSERT INTO {database}.call_events (event_id, call_id, type, occurred_at, line, "
        "caller_key, topic, topic_source, enriched_at) VALUES",
        [(f"{call_id}-e", call_id, "offered", 1354559400, "+4570200000", key, "login", "none", 0)],
        settings={"allow_experimental_low_cardinality_type": 1},
    )


@pytest.mark.integration
def test_erase_by_number_from_stdin_never_shows_the_number(
    writer: dict[str, str], clickhouse_client: Any, clickhouse_database: str
) -> None:
    key = caller_key(SECRET.encode(), NUMBER)
    _store_call(clickhouse_client, clickhouse_database, key, "c1")
    _store_call(clickhouse_client, clickhouse_database, "f" * 64, "c2")

    dry = _hotline(writer, "erase", "--caller-number", "-", "--dry-run", stdin="86 12 34 56\n")
    assert dry.returncode == 0, dry.stderr
    assert "call_events   would delete 1 row(s)" in dry.stdout

    done = _hotline(
        writer, "erase", "--caller-number", "-", "--reference", "DPO-2026-4", stdin=NUMBER + "\n"
    )
    assert done.returncode == 0, done.stderr
    assert "call_events   deleted 1 row(s)" in done.stdout
    for output in (dry.stdout, dry.stderr, done.stdout, done.stderr):
        assert "86123456" not in output.replace(" ", "")
        assert key not in output, "only a prefix of the pseudonym is shown"
    rows = clickhouse_client.execute(f"SELECT call_id FROM {clickhouse_database}.call_events")
    assert rows == [("c2",)]


@pytest.mark.integration
def test_erase_by_key_and_the_reader_may_not(
    writer: dict[str, str],
    clickhouse_env: Callable[..., dict[str, str]],
    clickhouse_client: Any,
    clickhouse_database: str,
) -> None:
    _store_call(clickhouse_client, clickhouse_database, "e" * 64, "c1")
    reader = clickhouse_env("reader", clickhouse_database)
    refused = _hotline(reader, "erase", "--caller-key", "e" * 64)
    assert refused.returncode == 1
    assert "readonly" in refused.stderr.lower()
    done = _hotline(writer, "erase", "--caller-key", "E" * 64)
    assert done.returncode == 0, done.stderr
    assert "call_events   deleted 1 row(s)" in done.stdout
    unset = _hotline({**writer, "HOTLINE_PSEUDONYM_SECRET": ""}, "erase", "--caller-number", NUMBER)
    assert unset.returncode == 1


@pytest.mark.integration
def test_retention_show_purge_apply(
    writer: dict[str, str], clickhouse_client: Any, clickhouse_database: str
) -> None:
    _store_call(clickhouse_client, clickhouse_database, None, "c1")
    shown = _hotline(writer, "retention", "show")
    assert shown.returncode == 0, shown.stderr
    assert "call_events   keep 731 days  1 rows, 0 expired" in shown.stdout
    assert "hotline.call-events.raw              keep 7 days" in shown.stdout

    # A row stored in 2001 has expired under a one-day retention; the one stored now has not.
    short = {**writer, "HOTLINE_RETENTION__EVENTS_DAYS": "1"}
    clickhouse_client.execute(
        f"INSERT INTO {clickhouse_database}.call_events (event_id, call_id, type, occurred_at, "
        "line, topic, topic_source, enriched_at, inserted_at) VALUES",
        [("old-e", "old", "offered", 1354559400, "+4570200000", "login", "none", 0, 1000000000)],
        settings={"allow_experimental_low_cardinality_type": 1},
    )
    dry = _hotline(short, "retention", "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "call_events   would delete 1 row(s)" in dry.stdout
    applied = _hotline(short, "retention", "apply")  # 18.16 has no TTL: apply purges
    assert applied.returncode == 0, applied.stderr
    assert "call_events   deleted 1 row(s)" in applied.stdout
    rows = clickhouse_client.execute(f"SELECT event_id FROM {clickhouse_database}.call_events")
    assert rows == [("c1-e",)]

    missing = _hotline(
        {**writer, "HOTLINE_CLICKHOUSE__DATABASE": "nowhere_at_all"}, "retention", "show"
    )
    assert missing.returncode == 1
    assert "hotline migrate" in missing.stderr


@pytest.mark.integration
def test_topics_create_brings_an_existing_topics_retention_up_to_date(
    kafka_bootstrap: str, make_topics: Callable[..., list[str]], unique_name: str
) -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType

    from hotline_cli.topics_cli import _update_retention

    (name,) = make_topics(f"{unique_name}.raw", partitions=1)
    topic = topics.Topic(
        name=name, key="k", partitions=1, model=topics.RAW.model, producer="p",
        consumers=(), description="d", retention_days=2,
    )  # fmt: skip
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert _update_retention(admin, topic, Retention()) is True
        assert _update_retention(admin, topic, Retention()) is False
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, configs=["retention.ms"])]
        )
        assert described["topic"][name]["retention.ms"]["value"] == str(2 * 86_400_000)
        assert _update_retention(admin, topic, Retention(topic_days={name: 1})) is True
    finally:
        admin.close()
