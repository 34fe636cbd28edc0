"""Where the benchmarks find Kafka and ClickHouse, from the same variables as the services.

`HOTLINE_KAFKA__BOOTSTRAP_SERVERS` and `HOTLINE_CLICKHOUSE__HOST` / `__PORT` are shared with
every service; the benchmark refuses anything but a loopback address so it never loads a
shared broker or database by accident.
"""

from __future__ import annotations

import os
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas.config import ClickHouseConnection, KafkaConnection

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

    @model_validator(mode="after")
    def _loopback_only(self) -> Self:
        hosts = [s.rsplit(":", 1)[0] for s in self.kafka.bootstrap_servers.split(",")]
        hosts.append(self.clickhouse.host)
        for host in hosts:
            if host.strip("[]") not in _LOOPBACK:
                raise ValueError(f"benchmarks run against 127.0.0.1 only, not {host}")
        return self


def inherited_env() -> dict[str, str]:
    """This process's environment, minus HOTLINE_* options, for the service subprocesses.

    The benchmark sets every option a service reads; a stray variable from the caller's shell
    (another topic, another database) must not redirect a service.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
