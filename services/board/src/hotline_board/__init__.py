"""The live operations board: a read-only page and JSON API over ClickHouse."""
