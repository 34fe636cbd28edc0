"""Thin adapter over clickhouse-driver: connect, detect the dialect, insert, classify errors."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from clickhouse_driver import Client
from clickhouse_driver import errors as ch_errors

from hotline_schemas.config import ClickHouseConnection
from hotline_sink.dialect import Dialect, Version, parse_version
from hotline_sink.routes import EVENTS, Route
from hotline_sink.rows import Row

# Server error codes that mean "this data cannot be stored" rather than "try again later".
# Anything else (unknown table, too many parts, memory, timeouts, ...) is retried, so a
# schema or capacity problem never sends good rows to the dead-letter topic.
DATA_ERROR_CODES = frozenset(
    {
        6,  # CANNOT_PARSE_TEXT
        27,  # CANNOT_PARSE_INPUT_ASSERTION_FAILED
        38,  # CANNOT_PARSE_DATE
        41,  # CANNOT_PARSE_DATETIME
        53,  # TYPE_MISMATCH
        69,  # ARGUMENT_OUT_OF_BOUND
        70,  # CANNOT_CONVERT_TYPE
        72,  # CANNOT_PARSE_NUMBER
        117,  # INCORRECT_DATA
        131,  # TOO_LARGE_STRING_SIZE
        190,  # SIZES_OF_ARRAYS_DOESNT_MATCH
        349,  # CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
    }
)
_TOO_MANY_PARTS = 252
# Client-side serialisation failures: a value does not fit its column type.
_CLIENT_DATA_ERRORS = (struct.error, OverflowError, TypeError, ValueError)


class RejectedDataError(Exception):
    """ClickHouse (or the driver, while encoding) rejected a value: retrying will not help."""


class UnavailableError(Exception):
    """The server is down, unreachable or refusing work for now: retry the batch later."""


def connect(conn: ClickHouseConnection, **options: Any) -> Client:
    """A client for the server's default database; migrations and inserts qualify names."""
    return Client(
        host=conn.host,
        port=conn.port,
        user=conn.user,
        password=conn.password.get_secret_value(),
        database="default",
        connect_timeout=options.pop("connect_timeout", 5),
        send_receive_timeout=options.pop("send_receive_timeout", 60),
        client_name="hotline-sink",
        **options,
    )


def server_version(client: Client) -> Version:
    rows = client.execute("SELECT version()")
    return parse_version(str(rows[0][0]))


def classify(exc: BaseException) -> RejectedDataError | UnavailableError:
    if isinstance(exc, ch_errors.ServerException):
        code = int(getattr(exc, "code", 0) or 0)
        message = str(exc)
        # A block spanning more months than max_partitions_per_insert_block is a shape
        # problem of this batch: smaller pieces go through, so treat it like data.
        if code in DATA_ERROR_CODES or (
            code == _TOO_MANY_PARTS and "partitions for single INSERT block" in message
        ):
            return RejectedDataError(f"ClickHouse error {code}: {message.splitlines()[0][:500]}")
        return UnavailableError(f"ClickHouse error {code}: {message.splitlines()[0][:500]}")
    if isinstance(exc, (ch_errors.TypeMismatchError, *_CLIENT_DATA_ERRORS)):
        return RejectedDataError(f"value rejected while encoding: {exc}")
    return UnavailableError(f"{type(exc).__name__}: {exc}")


class Writer:
    """Inserts rows into `<database>.<route's table>`, connecting (and detecting the dialect)
    lazily so a server that is down at start-up is just another retry."""

    def __init__(self, conn: ClickHouseConnection, database: str) -> None:
        self._conn = conn
        self._database = database
        self._client: Client | None = None
        self.dialect: Dialect | None = None

    def _ensure(self) -> tuple[Client, Dialect]:
        if self._client is None or self.dialect is None:
            client = connect(self._conn)
            try:
                self.dialect = Dialect.for_version(server_version(client))
            except BaseException:
                client.disconnect()
                raise
            self._client = client
        return self._client, self.dialect

    def insert(self, rows: Sequence[Row], route: Route = EVENTS) -> None:
        """Raises RejectedDataError or UnavailableError; never anything else from the driver.

        No `types_check`: with it clickhouse-driver 0.2.11 silently wraps an out-of-range
        integer (70000 into Nullable(UInt16) is stored as 4464); without it the value is
        refused with the column named, which is what the sink dead-letters."""
        try:
            client, dialect = self._ensure()
            client.execute(
                route.statement(self._database),
                list(rows),
                settings=dialect.session_settings(),
            )
        except Exception as exc:
            kind = classify(exc)
            if isinstance(kind, UnavailableError):
                self.close()
            raise kind from exc

    def close(self) -> None:
        if self._client is not None:
            self._client.disconnect()
        self._client = None
        self.dialect = None
