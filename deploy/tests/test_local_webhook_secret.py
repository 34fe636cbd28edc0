"""`make run`'s webhook signing secret (deploy/local/lib.sh `export_webhook_secret`).

Run in a temporary state folder: the script is sourced by bash exactly as pipeline.sh and
run.sh source it, and what it exports must be a secret ingest accepts and the simulator signs
with.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from hotline_ingest.settings import Settings
from hotline_ingest.signing import signing_mode
from hotline_simulator.signing import Signer, new_secret

LIB = Path(__file__).resolve().parents[1] / "local" / "lib.sh"


def _exported(state: Path, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "HOTLINE_INGEST_WEBHOOK_SECRET"}
    done = subprocess.run(
        ["bash", "-c", f'source "{LIB}" && export_webhook_secret && env'],
        env={**base, "HOTLINE_STATE_DIR": str(state), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("HOTLINE_INGEST_WEBHOOK")]
    return line.split("=", 1)[1]


def test_generated_once_private_and_usable_by_ingest_and_simulator(tmp_path: Path) -> None:
    first = _exported(tmp_path)
    assert _exported(tmp_path) == first  # reused: a restarted ingest and the simulator agree
    folder, file = tmp_path / "secrets", tmp_path / "secrets" / "webhook-secret"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    verifier = signing_mode(Settings(webhook_secret=first)).verifier
    assert verifier is not None
    verifier.verify(b"{}", Signer(first).headers(b"{}"))


def test_a_secret_set_by_the_caller_wins(tmp_path: Path) -> None:
    own = new_secret()
    assert _exported(tmp_path, HOTLINE_INGEST_WEBHOOK_SECRET=own) == own
    assert not (tmp_path / "secrets").exists()
