from __future__ import annotations

import struct

import pytest
from clickhouse_driver import errors as ch_errors
from pydantic import ValidationError

from hotline_schemas import topics
from hotline_sink.clickhouse import RejectedDataError, UnavailableError, classify
from hotline_sink.settings import Settings


def test_defaults_read_events_and_records_with_their_registry_dead_letter_topics() -> None:
    settings = Settings()
    assert settings.topics == (topics.ENRICHED.name, topics.RECORDS.name, topics.AGENT_EVENTS.name)
    assert settings.group_id == "hotline-sink"
    assert settings.dead_letter_for(topics.ENRICHED.name) == topics.ENRICHED.dead_letter
    assert settings.dead_letter_for(topics.RECORDS.name) == topics.RECORDS.dead_letter
    assert settings.dead_letter_for(topics.AGENT_EVENTS.name) == topics.AGENT_EVENTS.dead_letter
    # The age bounds the latency at low rates (under a second end to end), the size the
    # insert under load (docs/performance.md).
    assert (settings.batch_max_rows, settings.batch_max_age_s, settings.metrics_port) == (
        10_000,
        0.25,
        9465,
    )


def test_each_topic_is_routed_to_its_table() -> None:
    settings = Settings()
    assert settings.route_for(topics.ENRICHED.name).table == "call_events"
    assert settings.route_for(topics.RECORDS.name).table == "call_records"
    custom = Settings(topics=("a", "b"), record_topics=("b",), dead_letter_topic="dlq")
    assert [custom.route_for(t).table for t in custom.topics] == ["call_events", "call_records"]


def test_a_topic_outside_the_registry_needs_an_explicit_dead_letter_topic() -> None:
    with pytest.raises(ValidationError, match="no dead-letter topic"):
        Settings(topics=("elsewhere",))
    assert Settings(topics=("elsewhere",), dead_letter_topic="dlq").dead_letter_for("x") == "dlq"


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (ch_errors.ServerException("Cannot parse input", code=27), RejectedDataError),
        (
            ch_errors.ServerException("Too many partitions for single INSERT block", 252),
            RejectedDataError,
        ),
        (ch_errors.ServerException("Too many parts (300). Merges are slow", 252), UnavailableError),
        (
            ch_errors.ServerException("Table hotline.call_events doesn't exist", 60),
            UnavailableError,
        ),
        (ch_errors.TypeMismatchError("Column x: ushort format requires ..."), RejectedDataError),
        (struct.error("ushort format requires 0 <= number <= 65535"), RejectedDataError),
        (ch_errors.NetworkError("Connection refused"), UnavailableError),
        (EOFError("Unexpected EOF while reading bytes"), UnavailableError),
        (ConnectionResetError(104, "reset"), UnavailableError),
    ],
)
def test_classify_retries_everything_but_bad_values(exc: BaseException, kind: type) -> None:
    assert isinstance(classify(exc), kind)
