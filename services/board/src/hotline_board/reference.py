"""Populations for 'calls per 1,000 citizens', from the contract's municipality table."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from hotline_schemas import paths

MUNICIPALITIES_CSV = paths.PACKAGE_DIR / "reference" / "municipalities.csv"


def populations(path: Path = MUNICIPALITIES_CSV) -> Mapping[int, int]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {int(r["municipality_code"]): int(r["population"]) for r in csv.DictReader(fh)}
