"""Settings of the `hotline` command's own tools: topic administration, retention, erasure.

Environment: `HOTLINE_KAFKA__BOOTSTRAP_SERVERS`; `HOTLINE_CLICKHOUSE__HOST` / `__PORT` /
`__DATABASE` / `__USER` / `__PASSWORD` (retention and erasure write: the writer's login);
`HOTLINE_RETENTION__EVENTS_DAYS` / `__RECORDS_DAYS` / `__TOPIC_DAYS`; and for
`hotline erase --caller-number` the pseudonym secret, `HOTLINE_PSEUDONYM_SECRET` (or
`HOTLINE_DEV=true` for the public development secret, as enrich).
"""

from __future__ import annotations

from typing import Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_enrich.settings import DEV_SECRET
from hotline_schemas.config import ClickHouseConnection, KafkaConnection, Retention
from hotline_schemas.topics import ALL_TOPICS


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_nested_delimiter="__",
        frozen=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = KafkaConnection()
    clickhouse: ClickHouseConnection = ClickHouseConnection()
    retention: Retention = Retention()
    pseudonym_secret: SecretStr | None = None
    dev: bool = False

    @model_validator(mode="after")
    def _known_topics(self) -> Self:
        unknown = set(self.retention.topic_days) - {t.name for t in ALL_TOPICS}
        if unknown:
            raise ValueError(
                f"HOTLINE_RETENTION__TOPIC_DAYS names unknown topics: {sorted(unknown)}"
            )
        return self

    def pseudonym_key(self) -> bytes | None:
        """The secret caller pseudonyms are computed with, or None when none is configured."""
        if self.pseudonym_secret is not None:
            return self.pseudonym_secret.get_secret_value().encode()
        return DEV_SECRET.encode() if self.dev else None
