"""Settings of the board, from environment variables.

Options of this service are `HOTLINE_BOARD_<FIELD>` (e.g. `HOTLINE_BOARD_PORT`,
`HOTLINE_BOARD_AT=2013-03-31T19:00:00Z` to pin the board's "now" to a replayed evening,
`HOTLINE_BOARD_STALE_AFTER_S`); the ClickHouse connection is shared by every service:
`HOTLINE_CLICKHOUSE__HOST`, `HOTLINE_CLICKHOUSE__PORT`, `HOTLINE_CLICKHOUSE__DATABASE`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AwareDatetime, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas import kpi
from hotline_schemas.config import ClickHouseConnection


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_BOARD_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    clickhouse: ClickHouseConnection = Field(
        default=ClickHouseConnection(), validation_alias="HOTLINE_CLICKHOUSE"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, lt=65536)
    log_level: str = "info"

    # None: the wall clock. Set it to look at a replayed (e.g. simulated 2013) evening.
    at: AwareDatetime | None = None
    # Opening hours for "open now" and "this evening"; None: the press release's schedule.
    schedule_path: Path | None = None

    service_level_s: float = Field(default=kpi.SERVICE_LEVEL_S, gt=0)
    short_abandon_s: float = Field(default=kpi.SHORT_ABANDON_S, ge=0)
    # While open, newer events than this are expected; older means the pipeline is stale.
    stale_after_s: float = Field(default=120.0, gt=0)
    # How often the page polls and the Prometheus gauges are refreshed.
    refresh_s: float = Field(default=5.0, gt=0, le=60)
    query_timeout_s: float = Field(default=5.0, gt=0)
