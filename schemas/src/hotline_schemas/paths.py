"""Where the contract's artefacts live inside the installed package."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
JSONSCHEMA_DIR = PACKAGE_DIR / "jsonschema"
EXAMPLES_DIR = PACKAGE_DIR / "examples"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
# Public facts with their sources (SOURCES.md): postcodes, municipalities, topics, the schedule.
REFERENCE_DIR = PACKAGE_DIR / "reference"
