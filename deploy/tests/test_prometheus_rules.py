"""The alert rules: valid, unit-tested by promtool, and each one usable by whoever is on call.

`promtool` is Debian's (the `prometheus` package, installed by `make install`). The rules'
behaviour is tested in deploy/prometheus/tests/*.yml; this module runs those tests and checks
what promtool cannot: every alert has a severity Alertmanager routes, a summary, a runbook that
exists, and at least one test case where it fires and one where it stays quiet.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1]
REPO = DEPLOY.parent
PROMETHEUS = DEPLOY / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
TEST_FILES = sorted((PROMETHEUS / "tests").glob("*.yml"))
RUNBOOKS = REPO / "docs" / "runbooks"
ALERTMANAGER = DEPLOY / "alertmanager" / "alertmanager.yml"
SEVERITIES = {"critical", "warning", "info"}
# What an on-call engineer looks for in every runbook, in this order.
RUNBOOK_SECTIONS = ("## What it means", "## Impact", "## Check", "## Fix", "## Escalate")


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus package (make install)"
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, check=False, timeout=120
    )


def _alerts() -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            alerts.extend(rule for rule in group["rules"] if "alert" in rule)
    return alerts


def _alert_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in TEST_FILES:
        for test in yaml.safe_load(path.read_text())["tests"]:
            cases.extend(test.get("alert_rule_test", []))
    return cases


ALERTS = _alerts()
ALERT_IDS = [alert["alert"] for alert in ALERTS]


def test_there_are_rules_and_tests() -> None:
    assert RULE_FILES
    assert TEST_FILES
    assert len(ALERT_IDS) == len(set(ALERT_IDS)), "alert names must be unique"


def test_promtool_check_rules() -> None:
    result = _promtool("check", "rules", *map(str, RULE_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_config_of_the_local_prometheus() -> None:
    result = _promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    # The rule files the config loads are the ones tested here.
    for path in RULE_FILES:
        assert path.name in result.stdout


def test_promtool_test_rules() -> None:
    result = _promtool("test", "rules", *map(str, TEST_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("alert", ALERTS, ids=ALERT_IDS)
def test_alert_has_severity_summary_and_runbook(alert: dict[str, Any]) -> None:
    name = alert["alert"]
    assert alert.get("labels", {}).get("severity") in SEVERITIES
    annotations = alert.get("annotations", {})
    assert annotations.get("summary", "").strip()
    assert annotations.get("runbook_url") == f"docs/runbooks/{name}.md"
    runbook = REPO / annotations["runbook_url"]
    assert runbook.is_file(), f"{name}: no runbook at {runbook}"
    text = runbook.read_text()
    assert text.startswith(f"# {name}\n"), f"{runbook} should start with '# {name}'"
    positions = [text.find(section) for section in RUNBOOK_SECTIONS]
    assert all(p >= 0 for p in positions), f"{runbook} needs the sections {RUNBOOK_SECTIONS}"
    assert positions == sorted(positions), f"{runbook}: sections out of order"


@pytest.mark.parametrize("alert", ALERTS, ids=ALERT_IDS)
def test_alert_is_tested_firing_and_quiet(alert: dict[str, Any]) -> None:
    cases = [c for c in _alert_cases() if c["alertname"] == alert["alert"]]
    assert any(c.get("exp_alerts") for c in cases), "no test case where it fires"
    assert any(not c.get("exp_alerts") for c in cases), "no test case where it stays quiet"


def test_every_runbook_belongs_to_an_alert() -> None:
    assert {p.stem for p in RUNBOOKS.glob("Hotline*.md")} == set(ALERT_IDS)


def test_alertmanager_routes_every_severity_the_rules_use() -> None:
    routes = yaml.safe_load(ALERTMANAGER.read_text())["route"]["routes"]
    routed = {m for route in routes for m in route.get("matchers", [])}
    for severity in {alert["labels"]["severity"] for alert in ALERTS}:
        assert f'severity="{severity}"' in routed
