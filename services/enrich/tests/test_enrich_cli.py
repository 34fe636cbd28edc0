"""The `enrich` and `enrich-event` subcommands, mounted on a parser like the `hotline` command."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from hotline_enrich import cli
from hotline_schemas import EnrichedEvent, paths


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotline")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_both_subcommands_are_registered() -> None:
    assert callable(parse("enrich").func)
    assert callable(parse("enrich-event").func)


def test_enrich_event_filters_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = json.loads(
        (paths.EXAMPLES_DIR / "call-event/valid/answered.json").read_text(encoding="utf-8")
    )
    monkeypatch.setenv("HOTLINE_PSEUDONYM_SECRET", "cli-test-secret-0123456789")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(payload) + "\n[]\n"))
    args = parse("enrich-event")
    status = args.func(args)
    out, err = capsys.readouterr()
    assert status == 2
    assert EnrichedEvent.model_validate_json(out.splitlines()[0]).event_id == "evt-0003"
    assert json.loads(err.splitlines()[-1])["line"] == 2
    assert "+4586123456" not in out


def test_missing_secret_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.delenv("HOTLINE_DEV", raising=False)
    args = parse("enrich-event")
    assert args.func(args) == cli.EXIT_CONFIG
