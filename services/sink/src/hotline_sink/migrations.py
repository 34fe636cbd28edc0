"""Versioned, idempotent ClickHouse migrations from `hotline_schemas.paths.MIGRATIONS_DIR`.

Files are `NNNN_name.sql` templates (see `templates.py`). Each applied migration is recorded
in `<db>.schema_migrations` with the checksum of its template (with the metric definitions
of `{{ kpi(...) }}` spliced in, see `templates.py`), so the record is the same on every dialect
and a changed definition is noticed. Re-running applies nothing; an applied migration whose
file (or definition) changed is an error (write a new migration instead).

Statements must be idempotent (`IF NOT EXISTS`): ClickHouse has no transactional DDL, so a
half-applied migration is simply run again. Two statements 18.16 cannot write idempotently are
made so here: `ALTER TABLE t ADD COLUMN c ...` (one column per statement) is skipped when `t`
already has `c`, and `RENAME TABLE a TO b[, c TO d]` is skipped when every target exists (it
already ran); a rename half done is an error for a person to look at.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hotline_schemas.paths import MIGRATIONS_DIR
from hotline_sink.dialect import Dialect
from hotline_sink.templates import expand_definitions, identifier, render, statements

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>\w+)\.sql$")


class Executor(Protocol):
    """What migrations need from a client: clickhouse_driver.Client fits."""

    def execute(
        self, query: str, params: Any = None, *, settings: dict[str, int] | None = None
    ) -> Any: ...


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    template: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(expand_definitions(self.template).encode()).hexdigest()

    def statements(self, dialect: Dialect, database: str) -> list[str]:
        return statements(render(self.template, dialect, database))


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"migration file name must be NNNN_name.sql: {path.name}")
        found.append(
            Migration(int(match["version"]), match["name"], path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in {directory}")
    return found


def _bootstrap(database: str) -> list[str]:
    db = identifier(database)
    return [
        f"CREATE DATABASE IF NOT EXISTS {db}",
        f"CREATE TABLE IF NOT EXISTS {db}.schema_migrations ("
        " version UInt32, name String, checksum String,"
        " applied_at DateTime('UTC') DEFAULT now()"
        ") ENGINE = ReplacingMergeTree(applied_at) ORDER BY version",
    ]


def applied(client: Executor, database: str) -> dict[int, tuple[str, str]]:
    """version -> (name, checksum) of the migrations recorded as applied."""
    db = identifier(database)
    rows = client.execute(
        f"SELECT version, argMax(name, applied_at), argMax(checksum, applied_at) "  # noqa: S608 - identifier() checked
        f"FROM {db}.schema_migrations GROUP BY version ORDER BY version"
    )
    return {int(v): (str(n), str(c)) for v, n, c in rows}


def _check(available: Sequence[Migration], done: dict[int, tuple[str, str]]) -> None:
    by_version = {m.version: m for m in available}
    for version, (name, checksum) in done.items():
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(f"migration {version:04d}_{name} is applied but has no file")
        if migration.checksum != checksum:
            raise MigrationError(
                f"migration {version:04d}_{name} changed after it was applied "
                f"(checksum {checksum[:12]} recorded, {migration.checksum[:12]} on disk); "
                "add a new migration instead of editing an applied one"
            )


_ADD_COLUMN = re.compile(
    r"^ALTER\s+TABLE\s+(?P<db>\w+)\.(?P<table>\w+)\s+ADD\s+COLUMN\s+(?P<column>\w+)\s", re.I
)
_RENAME = re.compile(r"^RENAME\s+TABLE\s+(?P<pairs>.+)$", re.I | re.S)
_PAIR = re.compile(r"^(\w+)\.(\w+)\s+TO\s+(\w+)\.(\w+)$", re.I)


def _exists(client: Executor, database: str, table: str, settings: dict[str, int]) -> bool:
    rows = client.execute(
        "SELECT count() FROM system.tables "  # noqa: S608 - identifier() checked
        f"WHERE database = '{identifier(database)}' AND name = '{identifier(table)}'",
        settings=settings,
    )
    return bool(int(rows[0][0]))


def already_done(client: Executor, sql: str, settings: dict[str, int]) -> bool:
    """True when `sql` is an ADD COLUMN or RENAME that an earlier run already carried out."""
    if add := _ADD_COLUMN.match(sql):
        rows = client.execute(
            "SELECT count() FROM system.columns "  # noqa: S608 - identifier() checked
            f"WHERE database = '{identifier(add['db'])}' AND table = '{identifier(add['table'])}' "
            f"AND name = '{identifier(add['column'])}'",
            settings=settings,
        )
        return bool(int(rows[0][0]))
    if rename := _RENAME.match(sql):
        pairs = []
        for text in rename["pairs"].split(","):
            pair = _PAIR.match(text.strip())
            if pair is None:
                raise MigrationError(f"cannot read the rename {text.strip()!r}")
            pairs.append(pair.groups())
        sources = [_exists(client, a, b, settings) for a, b, _, _ in pairs]
        targets = [_exists(client, c, d, settings) for _, _, c, d in pairs]
        if all(targets):
            # Renamed before (a later statement may have created a new table under the old
            # name, as the move to monthly partitions does).
            return True
        if all(sources) and not any(targets):
            return False
        raise MigrationError(f"a rename is half done, look at the tables before going on: {sql}")
    return False


def pending(
    client: Executor, database: str, available: Sequence[Migration] | None = None
) -> list[Migration]:
    """Migrations not yet applied, in order; raises if an applied one changed."""
    migrations = discover() if available is None else list(available)
    done = applied(client, database)
    _check(migrations, done)
    return [m for m in migrations if m.version not in done]


def apply(
    client: Executor,
    dialect: Dialect,
    database: str,
    available: Sequence[Migration] | None = None,
) -> list[Migration]:
    """Apply what is pending, in order; returns what was applied (empty when up to date)."""
    settings = dialect.session_settings()
    for sql in _bootstrap(database):
        client.execute(sql, settings=settings)
    todo = pending(client, database, available)
    db = identifier(database)
    for migration in todo:
        for sql in migration.statements(dialect, database):
            if not already_done(client, sql, settings):
                client.execute(sql, settings=settings)
        # Data goes as a parameter block: 18.16 waits forever for a data block after an
        # INSERT whose values are inline in the query text over the native protocol.
        client.execute(
            f"INSERT INTO {db}.schema_migrations (version, name, checksum) VALUES",
            [(migration.version, migration.name, migration.checksum)],
            settings=settings,
        )
        log.info("applied migration %04d_%s to %s", migration.version, migration.name, db)
    return todo
