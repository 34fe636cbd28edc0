from __future__ import annotations

import struct

import pytest
from clickhouse_driver import errors as ch_errors
from pydantic import ValidationError

from hotline_schemas import topics
from hotline_sink.clickhouse import RejectedDataError, UnavailableError, classify
from hotline_sink.settings import Settings


def test_defaults_read_the_enriched_topic_with_its_registry_dead_letter_topic() -> None:
    settings = Settings()
    assert settings.topics == (topics.ENRICHED.name,)
    assert settings.group_id == "hotline-sink"
    assert settings.dead_letter_for(topics.ENRICHED.name) == topics.ENRICHED.dead_letter
    assert (settings.batch_max_rows, settings.batch_max_age_s, settings.metrics_port) == (
        5000,
        1.0,
        9465,
    )


def test_call_records_are_refused_until_their_table_exists() -> None:
    with pytest.raises(ValidationError, match="does not write call records yet"):
        Settings(topics=(topics.ENRICHED.name, topics.RECORDS.name))


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
