"""Settings of `hotline load-report` and `hotline pilot-report`, from environment variables.

The load report's own options are `HOTLINE_REPORT_<FIELD>` (e.g. `HOTLINE_REPORT_OUT_DIR`,
`HOTLINE_REPORT_QUERY_TIMEOUT_S`), the pilot report's `HOTLINE_PILOT_REPORT_<FIELD>`; the
ClickHouse connection is shared by every service:
`HOTLINE_CLICKHOUSE__HOST`, `HOTLINE_CLICKHOUSE__PORT`, `HOTLINE_CLICKHOUSE__DATABASE`; so are
the business rules `HOTLINE_RULES__*` (see `hotline_schemas.rules`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas import topics
from hotline_schemas.config import ClickHouseConnection, KafkaConnection
from hotline_schemas.rules import Rules


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_REPORT_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    clickhouse: ClickHouseConnection = Field(
        default=ClickHouseConnection(), validation_alias="HOTLINE_CLICKHOUSE"
    )
    rules: Rules = Field(default=Rules(), validation_alias="HOTLINE_RULES")
    out_dir: Path = Path("reports/load-report")
    # A report reads the whole history: allow long queries, but not forever.
    query_timeout_s: float = Field(default=600.0, gt=0)


def _dead_letter_topics() -> list[str]:
    return [t.dead_letter for t in topics.DATA_TOPICS if t.dead_letter is not None]


class PilotSettings(BaseSettings):
    """Settings of `hotline pilot-report`: its own options are `HOTLINE_PILOT_REPORT_<FIELD>`
    (e.g. `HOTLINE_PILOT_REPORT_OUT_DIR`, `HOTLINE_PILOT_REPORT_DEAD_LETTER_TOPICS` as JSON);
    ClickHouse, Kafka and the business rules are the shared `HOTLINE_CLICKHOUSE__*`,
    `HOTLINE_KAFKA__*` and `HOTLINE_RULES__*`."""

    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_PILOT_REPORT_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    clickhouse: ClickHouseConnection = Field(
        default=ClickHouseConnection(), validation_alias="HOTLINE_CLICKHOUSE"
    )
    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    rules: Rules = Field(default=Rules(), validation_alias="HOTLINE_RULES")
    out_dir: Path = Path("reports/pilot-report")
    query_timeout_s: float = Field(default=600.0, gt=0)
    # The dead-letter topics of the topic registry; counted for the data-quality section.
    dead_letter_topics: list[str] = Field(default_factory=_dead_letter_topics)
    # Reading every dead-letter topic from its start must not hold the report up for long.
    dead_letter_timeout_s: float = Field(default=60.0, gt=0)
