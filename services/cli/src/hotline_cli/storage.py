"""Open the ClickHouse connection the retention and erasure commands work on: the writer's
login from settings, the server's dialect, and the schema up to date (or a clear error)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from clickhouse_driver import Client
from clickhouse_driver.errors import Error as ClickHouseError

from hotline_schemas.config import ClickHouseConnection
from hotline_sink import migrations
from hotline_sink.clickhouse import connect, server_version
from hotline_sink.dialect import Dialect


class StorageError(RuntimeError):
    pass


@contextmanager
def open_storage(conn: ClickHouseConnection) -> Iterator[tuple[Client, Dialect]]:
    client = connect(conn)
    try:
        try:
            dialect = Dialect.for_version(server_version(client))
            todo = migrations.pending(client, conn.database)
        except ClickHouseError as exc:
            first = str(exc).splitlines()[0]
            raise StorageError(
                f"cannot read {conn.database} on {conn.host}:{conn.port} as {conn.user}: {first} "
                "(is HOTLINE_CLICKHOUSE__USER the writer, and has `hotline migrate` run?)"
            ) from None
        if todo:
            names = ", ".join(f"{m.version:04d}_{m.name}" for m in todo)
            raise StorageError(f"{conn.database} lacks migrations {names}: run `hotline migrate`")
        yield client, dialect
    finally:
        client.disconnect()
