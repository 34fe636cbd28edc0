"""Load the municipality dimension from the shipped reference CSV (run by `hotline migrate`).

Idempotent: the table's current rows are compared with the file and the file is inserted only
when they differ; ReplacingMergeTree(loaded_at) then keeps the newest row per code.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from hotline_schemas.paths import PACKAGE_DIR
from hotline_sink.migrations import Executor
from hotline_sink.templates import identifier

MUNICIPALITIES_CSV = PACKAGE_DIR / "reference" / "municipalities.csv"
COLUMNS = (
    "municipality_code",
    "municipality_name",
    "population",
    "population_date",
    "hotline_member",
    "source",
)

Row = tuple[int, str, int, date, int, str]


def read_municipalities(path: Path = MUNICIPALITIES_CSV) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return sorted(
            (
                int(r["municipality_code"]),
                r["municipality_name"],
                int(r["population"]),
                date.fromisoformat(r["population_date"]),
                int(r["hotline_member"].strip().lower() in {"yes", "true", "1"}),
                r["source"],
            )
            for r in csv.DictReader(f)
        )


def _normal(row: tuple[Any, ...]) -> Row:
    code, name, population, when, member, source = row
    when = when if isinstance(when, date) else date.fromisoformat(str(when))
    return (int(code), str(name), int(population), when, int(member), str(source))


def load_municipalities(
    client: Executor,
    database: str,
    settings: dict[str, int] | None = None,
    path: Path = MUNICIPALITIES_CSV,
) -> int:
    """Rows inserted: the whole file when the table differs from it, else 0."""
    table = f"{identifier(database)}.municipalities"
    wanted = read_municipalities(path)
    current = client.execute(
        f"SELECT {', '.join(COLUMNS)} FROM {table} FINAL ORDER BY municipality_code",  # noqa: S608 - identifier() checked
        settings=settings,
    )
    if sorted(_normal(r) for r in current) == wanted:
        return 0
    client.execute(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES", wanted, settings=settings)
    return len(wanted)
