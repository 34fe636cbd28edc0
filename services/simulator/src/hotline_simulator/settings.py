"""Settings of the simulator, from `HOTLINE_*` environment variables.

Examples: `HOTLINE_INGEST_URL`, `HOTLINE_SIMULATOR_BATCH_SIZE`, `HOTLINE_SIMULATOR_MAX_RETRIES`.
Command-line options override them.

The webhook signing secret is `HOTLINE_SIMULATOR_WEBHOOK_SECRET` or, when that is not set,
ingest's own `HOTLINE_INGEST_WEBHOOK_SECRET` (so one variable serves both locally); with
several secrets listed (a rotation) the simulator signs with the first. Without either it posts
unsigned, which ingest takes only in development or behind an authenticating proxy.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas.config import webhook_secrets


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    ingest_url: str = Field(default="http://127.0.0.1:8080", pattern=r"^https?://")
    simulator_batch_size: int = Field(default=200, gt=0, le=10_000)
    simulator_max_retries: int = Field(default=5, ge=0, le=100)
    simulator_max_retry_wait_s: float = Field(default=30.0, gt=0)
    simulator_timeout_s: float = Field(default=10.0, gt=0)
    simulator_peak_per_hour: float = Field(default=50.0, ge=0)
    simulator_agents: int = Field(default=5, ge=1, le=19)
    simulator_webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "HOTLINE_SIMULATOR_WEBHOOK_SECRET", "HOTLINE_INGEST_WEBHOOK_SECRET"
        ),
    )

    def signing_secret(self) -> str | None:
        """The secret to sign with: the first one listed, or None to post unsigned."""
        if self.simulator_webhook_secret is None:
            return None
        listed = webhook_secrets(self.simulator_webhook_secret.get_secret_value())
        return listed[0] if listed else None
