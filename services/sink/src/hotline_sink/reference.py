"""Load the dimension tables the views join (run by `hotline migrate`, after the migrations).

- `municipalities` from the shipped reference CSV (`hotline_schemas.reference_data`);
- `topics` from the taxonomy (`HOTLINE_RULES__TAXONOMY_FILE`), former topic ids included;
- `rules` from the business rules (`HOTLINE_RULES__*`): the views read their thresholds there,
  so changing a rule and re-running `hotline migrate` changes every view, history included,
  while the migration files (and their checksums) stay as they are.

Idempotent: each table's current content is compared with what should be there, and rows are
inserted only when they differ; ReplacingMergeTree keeps the newest load per key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from hotline_schemas.reference_data import read_municipalities
from hotline_schemas.rules import Rules
from hotline_schemas.taxonomy import Taxonomy
from hotline_sink.migrations import Executor
from hotline_sink.templates import identifier

MUNICIPALITY_COLUMNS = (
    "municipality_code",
    "municipality_name",
    "population",
    "population_date",
    "hotline_member",
    "source",
)
TOPIC_COLUMNS = (
    "topic",
    "topic_id",
    "label_da",
    "label_en",
    "current_label_da",
    "current_label_en",
    "in_scope",
    "sort_order",
)
RULE_COLUMNS = ("rule", "value")

Row = tuple[Any, ...]


def municipality_rows() -> list[Row]:
    return sorted(
        (m.code, m.name, m.population, m.population_date, int(m.member), m.source)
        for m in read_municipalities()
    )


def topic_rows(taxonomy: Taxonomy) -> list[Row]:
    """One row per topic id, and one per former id pointing at the topic it became."""
    rows = []
    for order, t in enumerate(taxonomy.topics):
        now_da = t.current_label.da if t.current_label else None
        now_en = t.current_label.en if t.current_label else None
        for stored in (t.id, *t.former_ids):
            rows.append(
                (stored, t.id, t.label.da, t.label.en, now_da, now_en, int(t.in_scope), order)
            )
    return sorted(rows)


def rule_rows(rules: Rules) -> list[Row]:
    return sorted((name, float(value)) for name, value in rules.values().items())


def _normal_municipality(row: Row) -> Row:
    code, name, population, when, member, source = row
    when = when if isinstance(when, date) else date.fromisoformat(str(when))
    return (int(code), str(name), int(population), when, int(member), str(source))


def _normal_topic(row: Row) -> Row:
    topic, topic_id, da, en, now_da, now_en, in_scope, order = row
    return (str(topic), str(topic_id), str(da), str(en), now_da, now_en, int(in_scope), int(order))


def _normal_rule(row: Row) -> Row:
    return (str(row[0]), float(row[1]))


def _sync(
    client: Executor,
    database: str,
    table: str,
    columns: Sequence[str],
    wanted: list[Row],
    normal: Callable[[Row], Row],
    settings: dict[str, int] | None,
    versioned: bool,
) -> int:
    name = f"{identifier(database)}.{identifier(table)}"
    # FINAL: the newest load per key; a key missing from `wanted` stays (never deleted).
    current = client.execute(
        f"SELECT {', '.join(columns)} FROM {name} FINAL",  # noqa: S608 - identifier() checked
        settings=settings,
    )
    have = {normal(r) for r in current}
    if set(wanted) <= have:
        return 0
    cols = list(columns)
    rows = wanted
    if versioned:
        # Two loads within one second must still order: the version is a nanosecond clock.
        load_id = time.time_ns()
        cols.append("load_id")
        rows = [(*r, load_id) for r in wanted]
    client.execute(f"INSERT INTO {name} ({', '.join(cols)}) VALUES", rows, settings=settings)
    return len(rows)


def load_municipalities(
    client: Executor, database: str, settings: dict[str, int] | None = None
) -> int:
    """Rows inserted: the whole file when the table differs from it, else 0."""
    return _sync(
        client,
        database,
        "municipalities",
        MUNICIPALITY_COLUMNS,
        municipality_rows(),
        _normal_municipality,
        settings,
        versioned=False,
    )


def load_topics(
    client: Executor, database: str, taxonomy: Taxonomy, settings: dict[str, int] | None = None
) -> int:
    return _sync(
        client,
        database,
        "topics",
        TOPIC_COLUMNS,
        topic_rows(taxonomy),
        _normal_topic,
        settings,
        versioned=True,
    )


def load_rules(
    client: Executor, database: str, rules: Rules, settings: dict[str, int] | None = None
) -> int:
    return _sync(
        client,
        database,
        "rules",
        RULE_COLUMNS,
        rule_rows(rules),
        _normal_rule,
        settings,
        versioned=True,
    )


def load_dimensions(
    client: Executor, database: str, rules: Rules, settings: dict[str, int] | None = None
) -> dict[str, int]:
    """Every dimension table: table name -> rows inserted by this run."""
    return {
        "municipalities": load_municipalities(client, database, settings),
        "topics": load_topics(client, database, rules.taxonomy(), settings),
        "rules": load_rules(client, database, rules, settings),
    }
