from __future__ import annotations

import pytest

from hotline_sink.dialect import Dialect, parse_version
from hotline_sink.templates import TemplateError, render, statements

OLD = Dialect.for_version((18, 16, 1))
NEW = Dialect.for_version((26, 9, 2, 1))


def test_parse_version() -> None:
    assert parse_version("18.16.1") == (18, 16, 1)
    assert parse_version("26.9.2.1") == (26, 9, 2, 1)
    with pytest.raises(ValueError, match="not a ClickHouse version"):
        parse_version("unknown")


def test_old_server_needs_the_experimental_setting_and_has_no_ttl() -> None:
    assert OLD.session_settings() == {"allow_experimental_low_cardinality_type": 1}
    assert OLD.low_cardinality("String") == "LowCardinality(String)"
    assert not OLD.supports_ttl
    assert OLD.ttl_clause("inserted_at + INTERVAL 1 DAY") == ""
    assert "toStartOfInterval" not in OLD.start_of_interval("t", 900)


def test_current_server_gets_no_version_specific_settings() -> None:
    # Current ClickHouse rejects the experimental setting as unknown.
    assert NEW.session_settings() == {}
    assert NEW.ttl_clause("x + INTERVAL 1 DAY") == "TTL x + INTERVAL 1 DAY"
    assert NEW.start_of_interval("t", 900) == "toStartOfInterval(t, INTERVAL 900 SECOND)"


def test_very_old_server_gets_plain_types() -> None:
    assert Dialect.for_version((1, 1, 54343)).low_cardinality("String") == "String"


def test_render_placeholders() -> None:
    sql = (
        'CREATE TABLE {{ db }}.t (a {{ lc("Nullable(String)") }}) '
        '{{ ttl("toDateTime(a) + INTERVAL 400 DAY") }} -- {{ interval("a", 60) }}'
    )
    assert render(sql, NEW, "hot") == (
        "CREATE TABLE hot.t (a LowCardinality(Nullable(String))) "
        "TTL toDateTime(a) + INTERVAL 400 DAY -- toStartOfInterval(a, INTERVAL 60 SECOND)"
    )
    assert "TTL" not in render(sql, OLD, "hot")


@pytest.mark.parametrize(
    "template", ["{{ nope }}", "{{ lc(String) }}", '{{ interval("a", x) }}', "{{ db() }}"]
)
def test_render_rejects_unknown_or_malformed_placeholders(template: str) -> None:
    with pytest.raises(TemplateError):
        render(template, NEW, "hot")


def test_render_rejects_a_database_name_that_is_no_identifier() -> None:
    with pytest.raises(TemplateError, match="identifier"):
        render("{{ db }}", NEW, "x; DROP TABLE y")


def test_statements_split_on_semicolons_at_line_end_and_drop_comments() -> None:
    sql = "-- a comment\nCREATE A\n  (x);\n\n-- another\nCREATE B;\n"
    assert statements(sql) == ["CREATE A\n  (x)", "CREATE B"]
