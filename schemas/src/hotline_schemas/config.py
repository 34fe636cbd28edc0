"""Connection settings shared by the services (plain models; each service's Settings nests them).

Environment names follow `HOTLINE_<GROUP>__<FIELD>`, e.g. `HOTLINE_KAFKA__BOOTSTRAP_SERVERS`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class KafkaConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    bootstrap_servers: str = Field(default="127.0.0.1:9092", min_length=1)
    client_id_prefix: str = "hotline"


class ClickHouseConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=9000, gt=0, lt=65536)
    user: str = "default"
    password: SecretStr = SecretStr("")
    database: str = Field(default="hotline", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


def webhook_secrets(value: str) -> list[str]:
    """The secrets in a webhook-secret variable (`HOTLINE_INGEST_WEBHOOK_SECRET`): one or more
    `whsec_...` values separated by spaces or commas, so a rotation can list the new secret
    beside the old one. (Base64 has neither character, so the split is unambiguous.)"""
    return [part for part in value.replace(",", " ").split() if part]
