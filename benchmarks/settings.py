"""Where the benchmarks find Kafka and ClickHouse, from the same variables as the services.

`HOTLINE_KAFKA__BOOTSTRAP_SERVERS` and `HOTLINE_CLICKHOUSE__HOST` / `__PORT` are shared with
every service; the benchmark refuses anything but a loopback address so it never loads a
shared broker or database by accident.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas.config import ClickHouseConnection, KafkaConnection

# Where `make up` writes the local ClickHouse logins (deploy/local/lib.sh).
_SECRETS = Path("secrets") / "clickhouse.env"

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_BENCH_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    clickhouse: ClickHouseConnection = Field(
        default=ClickHouseConnection(), validation_alias="HOTLINE_CLICKHOUSE"
    )
    # The big-history phase loads its rows through ClickHouse's HTTP interface (TSV files the
    # server parses itself) and reads as the board and the report do, as the reader.
    clickhouse_http_port: int = Field(default=8123, gt=0, lt=65536)
    reader_user: str | None = None
    reader_password: str | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _loopback_only(self) -> Self:
        hosts = [s.rsplit(":", 1)[0] for s in self.kafka.bootstrap_servers.split(",")]
        hosts.append(self.clickhouse.host)
        for host in hosts:
            if host.strip("[]") not in _LOOPBACK:
                raise ValueError(f"benchmarks run against 127.0.0.1 only, not {host}")
        return self


def reader_login(settings: Settings) -> ClickHouseConnection | None:
    """The read-only user's login on the benchmark's server: `HOTLINE_BENCH_READER_USER` /
    `_PASSWORD`, else the local server's secrets file under `HOTLINE_STATE_DIR` (`.state`)."""
    user, password = settings.reader_user, settings.reader_password
    if user is None or password is None:
        state = (
            os.environ.get("HOTLINE_STATE_DIR") or Path(__file__).resolve().parents[1] / ".state"
        )
        path = Path(state) / _SECRETS
        found: dict[str, str] = {}
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            found = dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")
        user = found.get("HOTLINE_CLICKHOUSE_READER_USER")
        password = found.get("HOTLINE_CLICKHOUSE_READER_PASSWORD")
    if not user or password is None:
        return None
    conn = settings.clickhouse
    return ClickHouseConnection(
        host=conn.host, port=conn.port, user=user, password=SecretStr(password)
    )


def inherited_env() -> dict[str, str]:
    """This process's environment, minus HOTLINE_* options, for the service subprocesses.

    The benchmark sets every option a service reads; a stray variable from the caller's shell
    (another topic, another database) must not redirect a service.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
