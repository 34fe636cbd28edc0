"""Postcode -> municipality lookup from the shipped reference table.

The table is `hotline_schemas/reference/postcodes.csv` (sources in SOURCES.md beside it). Each row
lists every municipality the postcode overlaps; the FIRST code is the primary municipality, which
is the GeoNames municipality of the postcode (it matches the municipality of the postcode's named
town wherever it was checked). We never guess: a postcode that is not in the table, after
stripping whitespace, maps to no municipality at all.

The table also holds neighbouring "control" postcodes (e.g. 8900 Randers C) whose primary
municipality is outside the hotline: they are known, but not in the catchment.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from hotline_schemas import paths

REFERENCE_DIR = paths.PACKAGE_DIR / "reference"
POSTCODES_CSV = REFERENCE_DIR / "postcodes.csv"
MUNICIPALITIES_CSV = REFERENCE_DIR / "municipalities.csv"


@dataclass(frozen=True)
class Municipality:
    """What one postcode tells us about the caller's municipality."""

    postcode: str | None
    known: bool
    code: int | None
    name: str | None
    candidates: tuple[int, ...]
    ambiguous: bool
    in_catchment: bool


@dataclass(frozen=True)
class _Row:
    codes: tuple[int, ...]
    names: tuple[str, ...]


class PostcodeTable:
    """An immutable in-memory table; lookups never touch the disk or the network."""

    def __init__(self, rows: Mapping[str, _Row], members: frozenset[int]) -> None:
        self._rows: Mapping[str, _Row] = MappingProxyType(dict(rows))
        self.members = members

    @classmethod
    def load(
        cls, postcodes: Path = POSTCODES_CSV, municipalities: Path = MUNICIPALITIES_CSV
    ) -> PostcodeTable:
        with municipalities.open(encoding="utf-8", newline="") as fh:
            members = frozenset(
                int(r["municipality_code"])
                for r in csv.DictReader(fh)
                if r["hotline_member"].strip() == "yes"
            )
        rows: dict[str, _Row] = {}
        with postcodes.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                codes = tuple(int(c) for c in r["municipality_codes"].split(";"))
                names = tuple(n.strip() for n in r["municipality_names"].split(";"))
                if len(codes) != len(names) or not codes:
                    raise ValueError(f"postcode {r['postcode']}: codes and names do not pair up")
                rows[r["postcode"].strip()] = _Row(codes=codes, names=names)
        return cls(rows, members)

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, postcode: str | None) -> Municipality:
        key = None if postcode is None else "".join(postcode.split())
        row = self._rows.get(key) if key else None
        if row is None:
            return Municipality(
                postcode=key or None,
                known=False,
                code=None,
                name=None,
                candidates=(),
                ambiguous=False,
                in_catchment=False,
            )
        primary = row.codes[0]
        return Municipality(
            postcode=key,
            known=True,
            code=primary,
            name=row.names[0],
            candidates=row.codes,
            ambiguous=len(row.codes) > 1,
            in_catchment=primary in self.members,
        )
