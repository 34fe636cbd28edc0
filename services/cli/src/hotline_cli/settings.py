"""Settings of the `hotline` command's own tools (topic administration, the schedule)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_schemas.config import KafkaConnection
from hotline_schemas.rules import Rules


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_nested_delimiter="__", frozen=True)

    kafka: KafkaConnection = KafkaConnection()
    rules: Rules = Field(default=Rules(), validation_alias="HOTLINE_RULES")
