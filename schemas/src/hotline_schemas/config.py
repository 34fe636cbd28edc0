"""Connection settings shared by the services (plain models; each service's Settings nests them).

Environment names follow `HOTLINE_<GROUP>__<FIELD>`, e.g. `HOTLINE_KAFKA__BOOTSTRAP_SERVERS`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class KafkaConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    bootstrap_servers: str = Field(default="127.0.0.1:9092", min_length=1)
    client_id_prefix: str = "hotline"


class ClickHouseConnection(BaseModel):
    # A validation error must not print what it read: the password is among it.
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    host: str = "127.0.0.1"
    port: int = Field(default=9000, gt=0, lt=65536)
    user: str = "default"
    password: SecretStr = SecretStr("")
    database: str = Field(default="hotline", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


# Two years: the pilot (3 Dec 2012 - 1 Dec 2013, 363 days) plus a year for its evaluation and
# the decision. Counted from when a row was stored (inserted_at), so history imported years
# later is kept two years from its import, not deleted on arrival (docs/privacy.md).
DEFAULT_TABLE_DAYS = 731


class Retention(BaseModel):
    """How long personal data is kept: `HOTLINE_RETENTION__EVENTS_DAYS`, `__RECORDS_DAYS`,
    `__AGENTS_DAYS` (agent events: the staff's log-ins and breaks), and `__TOPIC_DAYS` (JSON,
    topic name -> days) overriding the topic registry's days."""

    model_config = ConfigDict(frozen=True)

    events_days: int = Field(default=DEFAULT_TABLE_DAYS, ge=1, le=36_500)
    records_days: int = Field(default=DEFAULT_TABLE_DAYS, ge=1, le=36_500)
    agents_days: int = Field(default=DEFAULT_TABLE_DAYS, ge=1, le=36_500)
    topic_days: dict[str, float] = Field(default_factory=dict)

    @field_validator("topic_days")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for name, days in value.items():
            if not days > 0:
                raise ValueError(f"{name}: retention must be a positive number of days")
        return value


def webhook_secrets(value: str) -> list[str]:
    """The secrets in a webhook-secret variable (`HOTLINE_INGEST_WEBHOOK_SECRET`): one or more
    `whsec_...` values separated by spaces or commas, so a rotation can list the new secret
    beside the old one. (Base64 has neither character, so the split is unambiguous.)"""
    return [part for part in value.replace(",", " ").split() if part]
