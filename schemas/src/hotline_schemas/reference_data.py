"""The one loader of the shipped reference data: municipalities and postcodes.

Files live in `hotline_schemas/reference/` with their sources in SOURCES.md beside them; the
topic taxonomy and the opening schedule have their own modules (`taxonomy`, `hours`). Every
service reads the files through this module, so "member of the hotline" has one rule: the
`hotline_member` column is `yes` or `no`, and anything else is an error rather than a silent
"no".

Postcodes: each row lists every municipality the postcode overlaps; the FIRST code is the
primary municipality, which is the GeoNames municipality of the postcode (it matches the
municipality of the postcode's named town wherever it was checked). We never guess: a postcode
that is not in the table, after stripping whitespace, maps to no municipality at all. The
table also holds neighbouring "control" postcodes (e.g. 8900 Randers C) whose primary
municipality is outside the hotline: they are known, but not in the catchment.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from hotline_schemas.paths import REFERENCE_DIR

POSTCODES_CSV = REFERENCE_DIR / "postcodes.csv"
MUNICIPALITIES_CSV = REFERENCE_DIR / "municipalities.csv"

_MEMBER = {"yes": True, "no": False}


@dataclass(frozen=True)
class MunicipalityRow:
    """One row of municipalities.csv."""

    code: int
    name: str
    population: int
    population_date: date
    member: bool  # one of the hotline's municipalities
    source: str


def read_municipalities(path: Path = MUNICIPALITIES_CSV) -> tuple[MunicipalityRow, ...]:
    """Every row of the municipality table, in the file's order."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for number, r in enumerate(csv.DictReader(fh), start=2):
            flag = r["hotline_member"].strip()
            if flag not in _MEMBER:
                raise ValueError(
                    f"{path.name} line {number}: hotline_member must be yes or no, not {flag!r}"
                )
            rows.append(
                MunicipalityRow(
                    code=int(r["municipality_code"]),
                    name=r["municipality_name"].strip(),
                    population=int(r["population"]),
                    population_date=date.fromisoformat(r["population_date"].strip()),
                    member=_MEMBER[flag],
                    source=r["source"].strip(),
                )
            )
    codes = [row.code for row in rows]
    if len(codes) != len(set(codes)):
        raise ValueError(f"{path.name}: a municipality code appears twice")
    return tuple(rows)


def members(rows: tuple[MunicipalityRow, ...] | None = None) -> tuple[MunicipalityRow, ...]:
    """The hotline's own municipalities."""
    return tuple(r for r in (rows if rows is not None else read_municipalities()) if r.member)


def populations(rows: tuple[MunicipalityRow, ...] | None = None) -> Mapping[int, int]:
    """Code -> population of every municipality in the table (members and others)."""
    return {r.code: r.population for r in (rows if rows is not None else read_municipalities())}


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
class PostcodeRow:
    postcode: str
    codes: tuple[int, ...]  # primary first
    names: tuple[str, ...]
    control: bool  # a neighbouring postcode listed for tests (in_scope "no(control)")


def read_postcodes(path: Path = POSTCODES_CSV) -> tuple[PostcodeRow, ...]:
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            codes = tuple(int(c) for c in r["municipality_codes"].split(";"))
            names = tuple(n.strip() for n in r["municipality_names"].split(";"))
            if len(codes) != len(names) or not codes:
                raise ValueError(f"postcode {r['postcode']}: codes and names do not pair up")
            control = r["in_scope"].strip().startswith("no")
            rows.append(PostcodeRow(r["postcode"].strip(), codes, names, control))
    return tuple(rows)


class PostcodeTable:
    """An immutable in-memory table; lookups never touch the disk or the network."""

    def __init__(self, rows: Mapping[str, PostcodeRow], members: frozenset[int]) -> None:
        self._rows: Mapping[str, PostcodeRow] = MappingProxyType(dict(rows))
        self.members = members

    @classmethod
    def load(
        cls, postcodes: Path = POSTCODES_CSV, municipalities: Path = MUNICIPALITIES_CSV
    ) -> PostcodeTable:
        member_codes = frozenset(r.code for r in members(read_municipalities(municipalities)))
        return cls({r.postcode: r for r in read_postcodes(postcodes)}, member_codes)

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
