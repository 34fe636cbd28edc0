"""Settings of the ingest service, from environment variables.

Options of this service are `HOTLINE_INGEST_<FIELD>` (e.g. `HOTLINE_INGEST_PORT`,
`HOTLINE_INGEST_MAX_BODY_BYTES`, `HOTLINE_INGEST_RAW_TOPIC`); what is shared by every service
keeps one name everywhere: `HOTLINE_KAFKA__BOOTSTRAP_SERVERS`, `HOTLINE_DEAD_LETTER_KEYS`.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas import topics
from hotline_schemas.config import KafkaConnection
from hotline_schemas.rules import Rules

_RAW_DLQ = topics.RAW.dead_letter or f"{topics.RAW.name}.dlq"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_INGEST_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    # Ingest applies no business rule; it nests them like every service, so one environment
    # configures all alike and an invalid HOTLINE_RULES__ value stops every service at start-up.
    rules: Rules = Field(default=Rules(), validation_alias="HOTLINE_RULES")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, lt=65536)
    log_level: str = "info"

    raw_topic: str = Field(default=topics.RAW.name, min_length=1)
    dead_letter_topic: str = Field(default=_RAW_DLQ, min_length=1)

    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_items: int = Field(default=10_000, gt=0)
    # A dead letter keeps the rejected item (redacted, and sealed for replay); beyond this it is
    # cut (and says so): the broker refuses records over about 1 MB and the rejection must
    # still be recorded. Sealing adds 4/3 of it again, so keep it well below 512 KiB.
    dead_letter_payload_max_bytes: int = Field(default=256 * 1024, gt=0, le=384 * 1024)
    # Seal dead letters for replay (hotline_schemas.privacy): base64 keys, the first seals.
    dead_letter_keys: SecretStr | None = Field(
        default=None, validation_alias="HOTLINE_DEAD_LETTER_KEYS"
    )

    produce_timeout_seconds: float = Field(default=10.0, gt=0)
    retry_after_seconds: int = Field(default=5, gt=0)
    # Kafka down at start-up: each connection attempt gives up after this, then retries.
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    reconnect_backoff_seconds: float = Field(default=2.0, gt=0)
    # Readiness: a metadata round trip every `ready_check_seconds`; ready while the last
    # success is younger than `ready_max_age_seconds`.
    ready_check_seconds: float = Field(default=3.0, gt=0)
    ready_max_age_seconds: float = Field(default=10.0, gt=0)
    linger_ms: int = Field(default=5, ge=0)
