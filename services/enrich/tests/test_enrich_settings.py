"""Settings: the pseudonym secret is required unless dev mode is explicit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline_enrich.settings import DEV_SECRET, Settings
from hotline_schemas import topics


def test_secret_is_required_without_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.delenv("HOTLINE_DEV", raising=False)
    with pytest.raises(ValidationError, match="HOTLINE_PSEUDONYM_SECRET is required"):
        Settings()


def test_dev_mode_uses_the_public_dev_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.setenv("HOTLINE_DEV", "true")
    settings = Settings()
    assert settings.uses_dev_secret
    assert settings.secret_bytes() == DEV_SECRET.encode()


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(pseudonym_secret="short")


def test_environment_names_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_PSEUDONYM_SECRET", "x" * 32)
    monkeypatch.setenv("HOTLINE_KAFKA__BOOTSTRAP_SERVERS", "kafka:29092")
    monkeypatch.setenv("HOTLINE_ENRICH_RAW_TOPIC", "my.raw")
    settings = Settings()
    assert settings.kafka.bootstrap_servers == "kafka:29092"
    assert settings.raw_topic == "my.raw"
    assert settings.enriched_topic == topics.ENRICHED.name
    assert settings.dead_letter_topic == topics.RAW.dead_letter
    assert (settings.web_port, settings.metrics_port) == (6066, 9466)
    assert settings.secret_bytes() == b"x" * 32
    assert "xxxx" not in repr(settings)
