"""Settings of the provider tools, from environment variables.

Format options (`HOTLINE_PROVIDER_*`, shared by convert, import, follow and dlq replay):
`HOTLINE_PROVIDER_LINE`, `HOTLINE_PROVIDER_COUNTRY_CODE`, the queue_log INFO keywords
`HOTLINE_PROVIDER_QUEUE_LOG_POSTCODE_KEY` (POSTCODE), `..._IVR_CHOICE_KEY` (IVRCHOICE),
`..._WRAP_UP_KEY` (WRAPUPCODE), `..._CLOSED_KEY` (CLOSED), `..._HANGUP_KEY` (HANGUP),
`HOTLINE_PROVIDER_QUEUE_LOG_WRAP_UP_PAUSE_REASONS` (`["ACW"]`), the contact-record attributes
`HOTLINE_PROVIDER_CONNECT_POSTCODE_ATTRIBUTE` (postcode), `..._IVR_CHOICE_ATTRIBUTE`
(ivr_choice), `..._WRAP_UP_ATTRIBUTE` (wrap_up_code); the agent event stream's status names
when a record has no status type `HOTLINE_PROVIDER_CONNECT_AVAILABLE_STATUSES` (`["Available"]`),
`..._OFFLINE_STATUSES` (`["Offline"]`).

Import (`HOTLINE_IMPORT_*`): topics, checkpoint directory and interval, producer batching.
Follow (`HOTLINE_FOLLOW_*`): the file, its position file, metrics port, live window.
Connections: `HOTLINE_KAFKA__BOOTSTRAP_SERVERS` as every service; dead letters are sealed with
`HOTLINE_DEAD_LETTER_KEYS` like every service's.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline_providers.asterisk_queue_log import QueueLogOptions
from hotline_providers.connect_agent_events import AgentEventOptions
from hotline_providers.connect_ctr import ConnectOptions
from hotline_schemas import topics
from hotline_schemas.config import KafkaConnection

_RAW_DLQ = topics.RAW.dead_letter or f"{topics.RAW.name}.dlq"
_AGENT_TOPIC = topics.AGENT_EVENTS.name
_RAW_TOPIC = topics.RAW.name


class ProviderSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_PROVIDER_", frozen=True)

    line: str = Field(default="+4570200000", pattern=r"^\+[1-9][0-9]{6,14}$")
    country_code: str = Field(default="45", pattern=r"^[1-9][0-9]{0,2}$")
    queue_log_call_id_prefix: str = Field(default="asterisk", min_length=1, max_length=24)
    queue_log_postcode_key: str = Field(default="POSTCODE", min_length=1)
    queue_log_ivr_choice_key: str = Field(default="IVRCHOICE", min_length=1)
    queue_log_wrap_up_key: str = Field(default="WRAPUPCODE", min_length=1)
    queue_log_closed_key: str = Field(default="CLOSED", min_length=1)
    queue_log_hangup_key: str = Field(default="HANGUP", min_length=1)
    queue_log_wrap_up_pause_reasons: tuple[str, ...] = ("ACW",)
    connect_call_id_prefix: str = Field(default="connect", min_length=1, max_length=24)
    connect_postcode_attribute: str = Field(default="postcode", min_length=1)
    connect_ivr_choice_attribute: str = Field(default="ivr_choice", min_length=1)
    connect_wrap_up_attribute: str = Field(default="wrap_up_code", min_length=1)
    connect_available_statuses: tuple[str, ...] = ("Available",)
    connect_offline_statuses: tuple[str, ...] = ("Offline",)

    def queue_log(self) -> QueueLogOptions:
        return QueueLogOptions(
            call_id_prefix=self.queue_log_call_id_prefix,
            postcode_key=self.queue_log_postcode_key,
            ivr_choice_key=self.queue_log_ivr_choice_key,
            wrap_up_key=self.queue_log_wrap_up_key,
            closed_key=self.queue_log_closed_key,
            hangup_key=self.queue_log_hangup_key,
            wrap_up_pause_reasons=frozenset(self.queue_log_wrap_up_pause_reasons),
            line=self.line,
            country_code=self.country_code,
        )

    def connect(self) -> ConnectOptions:
        return ConnectOptions(
            call_id_prefix=self.connect_call_id_prefix,
            postcode_attribute=self.connect_postcode_attribute,
            ivr_choice_attribute=self.connect_ivr_choice_attribute,
            wrap_up_attribute=self.connect_wrap_up_attribute,
            line=self.line,
            country_code=self.country_code,
        )

    def connect_agent_events(self) -> AgentEventOptions:
        return AgentEventOptions(
            call_id_prefix=self.connect_call_id_prefix,
            available_statuses=frozenset(s.casefold() for s in self.connect_available_statuses),
            offline_statuses=frozenset(s.casefold() for s in self.connect_offline_statuses),
        )


class Targets(BaseSettings):
    """Where converted events and rejected records go; every tool that produces nests it."""

    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_TARGETS_", frozen=True, populate_by_name=True, hide_input_in_errors=True
    )

    raw_topic: str = Field(default=_RAW_TOPIC, min_length=1)
    agent_topic: str = Field(default=_AGENT_TOPIC, min_length=1)
    dead_letter_topic: str = Field(default=_RAW_DLQ, min_length=1)
    # Seal dead letters (the original line, with caller numbers) for a replay: base64 keys,
    # the first seals, all unseal (hotline_schemas.privacy, docs/privacy.md).
    dead_letter_keys: SecretStr | None = Field(
        default=None, validation_alias="HOTLINE_DEAD_LETTER_KEYS"
    )
    linger_ms: int = Field(default=20, ge=0)
    batch_size_bytes: int = Field(default=256 * 1024, gt=0)


class ImportSettings(Targets):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_IMPORT_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    checkpoint_dir: Path = Path(".state/import")
    # A checkpoint waits for Kafka to acknowledge everything before it: often enough that a
    # killed import repeats little, rarely enough that the waits do not dominate.
    checkpoint_every_records: int = Field(default=20_000, gt=0)
    checkpoint_every_s: float = Field(default=5.0, gt=0)


class FollowSettings(Targets):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_FOLLOW_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    file: Path | None = None  # the queue_log to follow, when not given on the command line
    position_file: Path | None = None  # default: <state_dir>/<file name>.position.json
    state_dir: Path = Path(".state/follow")
    poll_interval_s: float = Field(default=0.25, gt=0)
    # Saved position and Kafka acknowledgement at most this far apart (seconds).
    flush_every_s: float = Field(default=1.0, gt=0)
    # Lines older than this when read (a backlog after a restart) are marked origin=import:
    # catching up must not page anyone through the latency alert.
    live_window_s: float = Field(default=300.0, gt=0)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9467, ge=0, lt=65536)
    # Not ready while the last successful Kafka acknowledgement is older than this.
    ready_max_age_s: float = Field(default=30.0, gt=0)
    # /healthz fails (and a liveness probe restarts it) when the loop has not turned for this
    # long; longer than a Kafka flush may wait (60 s).
    alive_max_age_s: float = Field(default=120.0, gt=60)


class DlqSettings(Targets):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_DLQ_",
        env_nested_delimiter="__",
        frozen=True,
        populate_by_name=True,
        # A validation error must not print the environment it read: it holds secrets.
        hide_input_in_errors=True,
    )

    kafka: KafkaConnection = Field(default=KafkaConnection(), validation_alias="HOTLINE_KAFKA")
    # Reading a dead-letter topic ends when no record arrived for this long.
    idle_timeout_s: float = Field(default=3.0, gt=0)
