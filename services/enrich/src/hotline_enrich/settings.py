"""Settings of the enrich service, from environment variables.

Options of this service are `HOTLINE_ENRICH_<FIELD>` (e.g. `HOTLINE_ENRICH_RAW_TOPIC`,
`HOTLINE_ENRICH_METRICS_PORT`); what every service shares keeps one name everywhere:
`HOTLINE_KAFKA__BOOTSTRAP_SERVERS`, `HOTLINE_PSEUDONYM_SECRET`, `HOTLINE_DEAD_LETTER_KEYS`,
`HOTLINE_DEV`, and the business rules `HOTLINE_RULES__*` (opening schedule, taxonomy,
short-abandon threshold; see `hotline_schemas.rules`).

The pseudonym secret is required. For local runs set `HOTLINE_DEV=true` instead: a fixed,
publicly known development secret is then used and a warning is logged at start-up. Never use
dev mode with real caller numbers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_enrich.call_records import RecordConfig
from hotline_schemas import topics
from hotline_schemas.config import KafkaConnection
from hotline_schemas.rules import Rules

DEV_SECRET = "dev-only-secret-not-for-real-numbers"  # noqa: S105 - deliberately public
MIN_SECRET_LENGTH = 16
_RAW_DLQ = topics.RAW.dead_letter or f"{topics.RAW.name}.dlq"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_ENRICH_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    rules: Rules = Field(default=Rules(), validation_alias="HOTLINE_RULES")
    dev: bool = Field(
        default=False,
        validation_alias="HOTLINE_DEV",
        description="Allow the public development secret.",
    )
    pseudonym_secret: SecretStr | None = Field(
        default=None, validation_alias="HOTLINE_PSEUDONYM_SECRET"
    )
    # Seal dead letters for replay (hotline_schemas.privacy): base64 keys, the first seals.
    dead_letter_keys: SecretStr | None = Field(
        default=None, validation_alias="HOTLINE_DEAD_LETTER_KEYS"
    )

    app_id: str = Field(default="hotline-enrich", min_length=1)
    raw_topic: str = Field(default=topics.RAW.name, min_length=1)
    enriched_topic: str = Field(default=topics.ENRICHED.name, min_length=1)
    dead_letter_topic: str = Field(default=_RAW_DLQ, min_length=1)
    records_topic: str = Field(default=topics.RECORDS.name, min_length=1)
    topic_partitions: int = Field(default=topics.RAW.partitions, gt=0)
    topic_replication_factor: int = Field(default=1, gt=0)

    # Call records (see call_records.py): time-outs in stream time (thresholds are rules).
    call_timeout_seconds: float = Field(default=4 * 3600.0, gt=0)
    state_retention_seconds: float = Field(default=24 * 3600.0, ge=0)
    sweep_interval_seconds: float = Field(default=60.0, gt=0)

    # Raw-offset guards (offsets.py): how often to look for a rewind that delivered nothing
    # or messages dropped at a partition's tail, and how long to wait before rewinding again.
    rewind_check_seconds: float = Field(default=5.0, gt=0)
    rewind_grace_seconds: float = Field(default=15.0, gt=0)
    # Group membership: a worker killed without leaving is noticed after this long, and its
    # partitions move on. Faust's default (60 s) left a restarted worker idle for a minute.
    session_timeout_seconds: float = Field(default=15.0, gt=0)
    heartbeat_interval_seconds: float = Field(default=3.0, gt=0)

    # Batching (handler.py, docs/performance.md): events are processed together once this many
    # have arrived, or once the oldest has waited this long (the timer looks twice as often).
    batch_max_size: int = Field(default=2000, gt=0)
    batch_max_age_seconds: float = Field(default=0.05, gt=0)
    # On SIGTERM: how long to wait for Kafka to acknowledge the last batch's outputs before
    # leaving the rest unacked for the partitions' next owner (app.py, StoppingApp).
    stop_wait_seconds: float = Field(default=10.0, gt=0)
    # Producer batching: wait this long for more messages to the same partition; this big a
    # batch at most. Faust reads at most this many events ahead per partition.
    producer_linger_ms: int = Field(default=5, ge=0)
    producer_max_batch_bytes: int = Field(default=1_048_576, gt=0)
    stream_buffer_maxsize: int = Field(default=8192, gt=0)

    store: str = "memory://"
    state_dir: Path = Path(".state/enrich")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6066, ge=0, lt=65536)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9466, ge=0, lt=65536)
    log_level: str = "info"

    @model_validator(mode="after")
    def _secret_is_set(self) -> Self:
        secret = self.pseudonym_secret
        if secret is None:
            if not self.dev:
                raise ValueError(
                    "HOTLINE_PSEUDONYM_SECRET is required "
                    "(or set HOTLINE_DEV=true to use the public development secret)"
                )
        elif len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"HOTLINE_PSEUDONYM_SECRET must be at least {MIN_SECRET_LENGTH} chars")
        return self

    def record_config(self) -> RecordConfig:
        return RecordConfig(
            short_abandon_seconds=self.rules.short_abandon_seconds,
            call_timeout_seconds=self.call_timeout_seconds,
            retention_seconds=self.state_retention_seconds,
            sweep_interval_seconds=self.sweep_interval_seconds,
        )

    @property
    def uses_dev_secret(self) -> bool:
        return self.pseudonym_secret is None

    def secret_bytes(self) -> bytes:
        if self.pseudonym_secret is None:
            return DEV_SECRET.encode()
        return self.pseudonym_secret.get_secret_value().encode()


def load_settings() -> Settings | None:
    """Settings from the environment, or None after logging why they are invalid."""
    try:
        return Settings()
    except ValidationError as exc:
        logging.getLogger(__name__).error("invalid enrich settings: %s", exc)
        return None
