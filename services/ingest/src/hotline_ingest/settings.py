"""Settings of the ingest service, from environment variables.

Options of this service are `HOTLINE_INGEST_<FIELD>` (e.g. `HOTLINE_INGEST_PORT`,
`HOTLINE_INGEST_MAX_BODY_BYTES`, `HOTLINE_INGEST_RAW_TOPIC`,
`HOTLINE_INGEST_WEBHOOK_SECRET`); what every service shares keeps one name everywhere:
`HOTLINE_KAFKA__BOOTSTRAP_SERVERS`, `HOTLINE_DEAD_LETTER_KEYS`, `HOTLINE_DEV`.

Webhook signing (Standard Webhooks): `HOTLINE_INGEST_WEBHOOK_SECRET` holds one or more
`whsec_<base64>` secrets separated by spaces or commas (two during a rotation). Without one,
ingest refuses to start unless `HOTLINE_INGEST_ALLOW_UNSIGNED=true` (behind a proxy that
authenticates the provider) or `HOTLINE_DEV=true` (local development, loopback only); see
`signing.signing_mode`.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas import topics
from hotline_schemas.config import KafkaConnection, webhook_secrets

_RAW_DLQ = topics.RAW.dead_letter or f"{topics.RAW.name}.dlq"
_AGENT_DLQ = topics.AGENT_EVENTS.dead_letter or f"{topics.AGENT_EVENTS.name}.dlq"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
# The Standard Webhooks specification asks for keys of 24 to 64 random bytes.
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64


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
    dev: bool = Field(
        default=False,
        validation_alias="HOTLINE_DEV",
        description="Local development: allows running without a webhook secret (loopback only).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, lt=65536)
    log_level: str = "info"

    raw_topic: str = Field(default=topics.RAW.name, min_length=1)
    dead_letter_topic: str = Field(default=_RAW_DLQ, min_length=1)
    agent_topic: str = Field(default=topics.AGENT_EVENTS.name, min_length=1)
    agent_dead_letter_topic: str = Field(default=_AGENT_DLQ, min_length=1)

    # Standard Webhooks signing: see the module docstring for the format.
    webhook_secret: SecretStr | None = None
    allow_unsigned: bool = False
    # A redelivered webhook-id within this time is answered from memory, not produced again.
    # Past it (or after a restart) storage still deduplicates on event_id.
    redelivery_seconds: float = Field(default=3600.0, gt=0)
    redelivery_max_entries: int = Field(default=10_000, gt=0)

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
    # Deepest nesting of arrays and objects a body may have, checked before parsing. An event
    # is an object in an array (2); deeper data is never valid, and very deep data costs.
    max_depth: int = Field(default=16, ge=2, le=200)
    # occurred_at may lie at most this far ahead of ingest's clock (provider clock skew, time
    # zones handled wrongly); history of any age inside the contract's window is fine.
    max_future_seconds: float = Field(default=86_400.0, ge=0)

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

    @model_validator(mode="after")
    def _secrets_are_well_formed(self) -> Self:
        if self.webhook_secret is not None:
            secrets = webhook_secrets(self.webhook_secret.get_secret_value())
            if not secrets:
                raise ValueError("HOTLINE_INGEST_WEBHOOK_SECRET is set but holds no secret")
            for number, secret in enumerate(secrets, start=1):
                _check_secret(number, secret)
        return self

    def webhook_secrets(self) -> list[str]:
        if self.webhook_secret is None:
            return []
        return webhook_secrets(self.webhook_secret.get_secret_value())


def _check_secret(number: int, secret: str) -> None:
    # Never echo the value: say which one (by position) and what is wrong with it.
    where = f"HOTLINE_INGEST_WEBHOOK_SECRET secret {number}"
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"{where} must start with {SECRET_PREFIX!r}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{where} is not base64 after {SECRET_PREFIX!r}") from exc
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise ValueError(
            f"{where} decodes to {len(key)} bytes; use {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} "
            f"random bytes, e.g. whsec_$(openssl rand -base64 32)"
        )


def load_settings(**overrides: Any) -> Settings | None:
    """Settings from the environment, or None after logging in one line why they are invalid."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)
        )
        logging.getLogger(__name__).error("invalid ingest settings: %s", problems)
        return None
