"""The Grafana dashboard: generated from the board's SQL, and every panel runs on ClickHouse
18.16 (the local server) and on current ClickHouse (chdb)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotline_board.grafana import dashboard
from hotline_schemas import kpi

DASHBOARD = (
    Path(__file__).resolve().parents[3] / "deploy/grafana/dashboards/hotline-operations.json"
)
FROM_S, TO_S = 1364752500, 1364753700  # 2013-03-31 19:55 to 20:15 Copenhagen time


def render(sql: str, database: str) -> str:
    """What the ClickHouse plugin sends for the two macros the dashboard uses."""
    assert not re.search(r"\$__(?!fromTime|toTime)\w+", sql), "an unrendered macro"
    sql = sql.replace("$__fromTime", f"toDateTime({FROM_S})").replace(
        "$__toTime", f"toDateTime({TO_S})"
    )
    return sql.replace("hotline.call_events", f"{database}.call_events")


def committed() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def panel_sql() -> list[tuple[str, str]]:
    return [(p["title"], t["rawSql"]) for p in committed()["panels"] for t in p["targets"]]


def test_committed_dashboard_is_generated() -> None:
    assert committed() == dashboard(), "run: hotline board-dashboard --output " + str(DASHBOARD)


def test_panels_use_the_clickhouse_datasource() -> None:
    for panel in committed()["panels"]:
        assert panel["datasource"]["type"] == "grafana-clickhouse-datasource"


def test_every_panel_runs_on_current_clickhouse(
    chdb: Any, example_calls: list[kpi.CallTimes], insert_calls: Callable[..., None]
) -> None:
    insert_calls(chdb, "board_test", example_calls)
    for title, sql in panel_sql():
        rows = chdb.execute(render(sql, "board_test"))
        assert rows, title


@pytest.fixture
def server_db(clickhouse_client: Any, clickhouse_database: str) -> tuple[Any, str]:
    from hotline_sink import migrations
    from hotline_sink.dialect import Dialect, parse_version

    client = clickhouse_client
    ((version,),) = client.execute("SELECT version()")
    dialect = Dialect.for_version(parse_version(version))

    class Executor:
        def execute(self, query: str, params: Any = None, *, settings: Any = None) -> Any:
            merged = {**dialect.session_settings(), **(settings or {})}
            return client.execute(query, params, settings=merged)

    migrations.apply(Executor(), dialect, clickhouse_database)
    return client, clickhouse_database


@pytest.mark.integration
def test_every_panel_runs_on_clickhouse_18_16(
    server_db: tuple[Any, str],
    example_calls: list[kpi.CallTimes],
    insert_calls: Callable[..., None],
) -> None:
    client, database = server_db
    insert_calls(client, database, example_calls)
    for title, sql in panel_sql():
        rows = client.execute(render(sql, database))
        assert rows, title
