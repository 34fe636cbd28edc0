"""Postcode pools for the simulated callers, from the contract package's reference data.

Catchment callers are drawn by municipality population, then among the postcodes whose
primary municipality (the first code in `municipality_codes`) is that municipality. Callers
from outside the catchment use the CSV's control postcodes plus a few big Danish towns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline_schemas.reference_data import members, read_postcodes

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


def load_pools() -> PostcodePools:
    municipalities = tuple(Municipality(m.code, m.name, m.population) for m in members())
    codes = {m.code for m in municipalities}
    by_municipality: dict[int, list[str]] = {code: [] for code in codes}
    outside: list[str] = []
    for row in read_postcodes():
        if row.codes[0] in codes:
            by_municipality[row.codes[0]].append(row.postcode)
        elif row.control:
            outside.append(row.postcode)
    empty = sorted(code for code, found in by_municipality.items() if not found)
    if empty:
        raise ValueError(f"no postcode has these municipalities as primary: {empty}")
    outside.extend(p for p in OTHER_DANISH_POSTCODES if p not in outside)
    return PostcodePools(
        municipalities=municipalities,
        by_municipality={code: tuple(sorted(found)) for code, found in by_municipality.items()},
        outside=tuple(outside),
    )
