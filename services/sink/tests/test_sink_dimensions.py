"""`hotline migrate` loads the rules and the topic dimension the views read, on 18.16 and chdb:
once, again only when a value changed, and the newest load wins within the same second."""

from __future__ import annotations

from typing import Any

from hotline_schemas.rules import Rules
from hotline_sink.reference import load_rules, load_topics
from hotline_sink.schema import prepare


def _rules_v(engine: Any) -> tuple[Any, ...]:
    (row,) = engine.execute(
        "SELECT service_level_seconds, service_level_target, short_abandon_seconds, "
        f"repeat_caller_days, loaded FROM {engine.database}.rules_v"
    )
    return tuple(row)


def test_rules_load_once_and_follow_a_changed_value(clickhouse_engine: Any) -> None:
    engine, db = clickhouse_engine, clickhouse_engine.database
    prepared = prepare(engine, engine.dialect, db, Rules())
    assert prepared.loaded["rules"] == 4
    assert _rules_v(engine) == (20.0, 0.8, 5.0, 7, 1)
    # Unchanged: nothing inserted. Changed twice within a second: the last value wins.
    assert load_rules(engine, db, Rules()) == 0
    assert load_rules(engine, db, Rules(short_abandon_seconds=8)) == 4
    assert load_rules(engine, db, Rules(short_abandon_seconds=10, repeat_caller_days=14)) == 4
    assert _rules_v(engine) == (20.0, 0.8, 10.0, 14, 1)
    assert prepare(
        engine, engine.dialect, db, Rules(short_abandon_seconds=10, repeat_caller_days=14)
    ).loaded == {
        "municipalities": 0,
        "topics": 0,
        "rules": 0,
    }


def test_rules_v_says_when_nothing_was_loaded(clickhouse_engine: Any) -> None:
    from hotline_sink import migrations

    migrations.apply(clickhouse_engine, clickhouse_engine.dialect, clickhouse_engine.database)
    assert _rules_v(clickhouse_engine)[-1] == 0


def test_topics_carry_both_names_of_the_login_and_its_former_id(clickhouse_engine: Any) -> None:
    engine, db = clickhouse_engine, clickhouse_engine.database
    rules = Rules()
    prepare(engine, engine.dialect, db, rules)
    rows = engine.execute(
        "SELECT topic, topic_id, label_da, current_label_da, in_scope "
        f"FROM {db}.topics FINAL WHERE topic_id = 'nemid_login' ORDER BY topic"
    )
    assert [tuple(r) for r in rows] == [
        ("mitid_login", "nemid_login", "Log-in med NemID", "Log-in med MitID", 1),
        ("nemid_login", "nemid_login", "Log-in med NemID", "Log-in med MitID", 1),
    ]
    (scope,) = engine.execute(f"SELECT groupArray(topic) FROM {db}.topics FINAL WHERE in_scope = 0")
    assert sorted(scope[0]) == ["case_handling", "case_status"]
    assert load_topics(engine, db, rules.taxonomy()) == 0
