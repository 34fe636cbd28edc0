"""Settings of the `hotline` command's own tools (topic administration)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas.config import KafkaConnection


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_nested_delimiter="__", frozen=True)

    kafka: KafkaConnection = KafkaConnection()
