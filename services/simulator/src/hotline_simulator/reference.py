"""Postcode pools for the simulated callers, read from the contract package's reference data.

Catchment callers are drawn by municipality population, then among the postcodes whose
primary municipality (the first code in `municipality_codes`) is that municipality. Callers
from outside the catchment use the CSV's control postcodes plus a few big Danish towns.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hotline_schemas import paths

REFERENCE_DIR = paths.PACKAGE_DIR / "reference"

# Real postcodes far from East Jutland (Copenhagen, Odense, Aalborg, Esbjerg, Kolding).
OTHER_DANISH_POSTCODES = ("1050", "2100", "2300", "5000", "9000", "6700", "6000")


@dataclass(frozen=True)
class Municipality:
    code: int
    name: str
    population: int


@dataclass(frozen=True)
class PostcodePools:
    municipalities: tuple[Municipality, ...]
    by_municipality: Mapping[int, tuple[str, ...]]
    outside: tuple[str, ...]

    @property
    def populations(self) -> tuple[int, ...]:
        return tuple(m.population for m in self.municipalities)


def load_pools(reference_dir: Path = REFERENCE_DIR) -> PostcodePools:
    with (reference_dir / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        municipalities = tuple(
            Municipality(
                int(row["municipality_code"]), row["municipality_name"], int(row["population"])
            )
            for row in csv.DictReader(f)
            if row["hotline_member"] == "yes"
        )
    members = {m.code for m in municipalities}
    by_municipality: dict[int, list[str]] = {code: [] for code in members}
    outside: list[str] = []
    with (reference_dir / "postcodes.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            primary = int(row["municipality_codes"].split(";")[0])
            if primary in members:
                by_municipality[primary].append(row["postcode"])
            elif row["in_scope"].startswith("no"):
                outside.append(row["postcode"])
    empty = sorted(code for code, codes in by_municipality.items() if not codes)
    if empty:
        raise ValueError(f"no postcode has these municipalities as primary: {empty}")
    outside.extend(p for p in OTHER_DANISH_POSTCODES if p not in outside)
    return PostcodePools(
        municipalities=municipalities,
        by_municipality={code: tuple(sorted(codes)) for code, codes in by_municipality.items()},
        outside=tuple(outside),
    )
