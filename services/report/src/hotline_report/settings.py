"""Settings of `hotline load-report`, from environment variables.

Its own options are `HOTLINE_REPORT_<FIELD>` (e.g. `HOTLINE_REPORT_OUT_DIR`,
`HOTLINE_REPORT_QUERY_TIMEOUT_S`); the ClickHouse connection is shared by every service:
`HOTLINE_CLICKHOUSE__HOST`, `HOTLINE_CLICKHOUSE__PORT`, `HOTLINE_CLICKHOUSE__DATABASE`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas.config import ClickHouseConnection


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
    out_dir: Path = Path("reports/load-report")
    # A report reads the whole history: allow long queries, but not forever.
    query_timeout_s: float = Field(default=600.0, gt=0)
