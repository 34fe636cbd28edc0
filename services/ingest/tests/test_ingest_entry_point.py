"""`python -m hotline_ingest` decides about signing at start-up, in one log line.

No Kafka needed: the refusal comes before any connection, and a started ingest serves
/healthz while Kafka is unreachable.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

_SIGNING = (
    "HOTLINE_INGEST_WEBHOOK_SECRET",
    "HOTLINE_INGEST_ALLOW_UNSIGNED",
    "HOTLINE_DEV",
    "HOTLINE_INGEST_HOST",
)


def _env(free_port: Callable[[], int], **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SIGNING}
    env["HOTLINE_KAFKA__BOOTSTRAP_SERVERS"] = f"127.0.0.1:{free_port()}"  # nobody listens
    env["HOTLINE_INGEST_CONNECT_TIMEOUT_SECONDS"] = "0.5"
    return {**env, **settings}


def _lines(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


# Every refusal reason is tested on `signing_mode` and `load_settings`; the process is
# checked for two (each start costs seconds of imports).
@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({}, "HOTLINE_INGEST_WEBHOOK_SECRET is not set"),
        ({"HOTLINE_INGEST_WEBHOOK_SECRET": "whsec_c2hvcnQ="}, "decodes to 5 bytes"),
    ],
    ids=["no-secret", "short-secret"],
)
def test_ingest_refuses_to_start_and_says_why_in_one_line(
    free_port: Callable[[], int], settings: dict[str, str], says: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hotline_ingest"],
        env=_env(free_port, **settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    (line,) = _lines(done.stderr, "ERROR")
    assert says in line
    assert "c2hvcnQ" not in done.stderr  # a secret, even a bad one, is never logged


def test_dev_mode_starts_unsigned_and_the_log_line_says_so(
    free_port: Callable[[], int], tmp_path: Path
) -> None:
    port = free_port()
    env = _env(free_port, HOTLINE_DEV="true", HOTLINE_INGEST_PORT=str(port))
    log = tmp_path / "ingest.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "hotline_ingest"], env=env, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "no /healthz within 30 s"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
    (line,) = _lines(log.read_text(), "webhook signatures")
    assert "WARNING" in line
    assert "NOT checked: HOTLINE_DEV=true" in line
