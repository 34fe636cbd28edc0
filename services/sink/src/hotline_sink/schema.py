"""Bring a database up to date: the migrations, then the dimension tables the views read.

What `hotline migrate` runs, and what tests run to get a database with working views.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline_schemas.rules import Rules
from hotline_sink import migrations
from hotline_sink.dialect import Dialect
from hotline_sink.migrations import Executor, Migration
from hotline_sink.reference import load_dimensions


@dataclass(frozen=True)
class Prepared:
    applied: list[Migration]  # migrations applied by this run
    loaded: dict[str, int]  # dimension table -> rows inserted by this run


def prepare(client: Executor, dialect: Dialect, database: str, rules: Rules) -> Prepared:
    applied = migrations.apply(client, dialect, database)
    loaded = load_dimensions(client, database, rules, dialect.session_settings())
    return Prepared(applied, loaded)
