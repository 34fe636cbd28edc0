"""The fault suite's private pipeline (one per run, shared by the faults) and its table.

`pytest -m chaos` (`make chaos`) runs it; the default selection (`make test`) leaves it out
(`-m "not chaos"` in the root pyproject's addopts, which a later `-m` overrides).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# The suite's modules import each other as the package `chaos`; with --import-mode=importlib
# pytest puts nothing on sys.path, so the folder holding the package goes there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos.report import ARTIFACTS, RUN, markdown, write
from chaos.services import Pipeline, Services
from chaos.stack import PrivateStack


@pytest.fixture(scope="session")
def pipeline() -> Iterator[Pipeline]:
    from hotline_simulator.signing import new_secret

    started = time.monotonic()
    stack = PrivateStack()
    services: Services | None = None
    try:
        stack.start()
        secret = new_secret()
        services = Services(stack, secret)
        services.start_pipeline()
        RUN.setup_seconds = time.monotonic() - started
        yield Pipeline(stack, services, secret)
    finally:
        try:
            if services is not None:
                services.stop_all()
        finally:
            _keep_logs(stack)
            stack.close()


def _keep_logs(stack: PrivateStack) -> None:
    """The services' and servers' logs outlive the state folder, for a failure's post-mortem."""
    logs = ARTIFACTS / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True, exist_ok=True)
    for found in [
        stack.log,
        *sorted((stack.state / "pipeline").glob("*.log")),
        stack.state / "kafka" / "kafka.log",
        stack.state / "clickhouse" / "logs" / "clickhouse-server.err.log",
    ]:
        if found.is_file():
            shutil.copy(found, logs / found.name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RUN.rows:
        return
    paths = write(RUN)
    terminalreporter.write_sep("=", "fault suite")
    terminalreporter.write(markdown(RUN))
    terminalreporter.write_line("written to " + ", ".join(str(p) for p in paths))
