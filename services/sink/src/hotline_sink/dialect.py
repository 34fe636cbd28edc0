"""The one place where ClickHouse version differences live.

The local server is Debian's ClickHouse 18.16; production runs a current release. Migrations
and queries are written once and rendered through a `Dialect` chosen from the server version.

| feature                        | 18.16                               | current          |
| ------------------------------ | ----------------------------------- | ---------------- |
| `LowCardinality(T)`            | needs the experimental setting      | plain type       |
| that setting                   | must be sent                        | unknown: rejected |
| table `TTL`                    | no (added in 19.6)                  | yes              |
| `toStartOfInterval`            | no                                  | yes              |
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, ...]

_LOW_CARDINALITY_SINCE: Version = (18, 12)
# Before 19.0 LowCardinality was experimental and the setting had to be sent; later releases
# enable it by default and current ones reject the setting as unknown.
_LOW_CARDINALITY_STABLE_SINCE: Version = (19, 0)
_TTL_SINCE: Version = (19, 6)
_START_OF_INTERVAL_SINCE: Version = (19, 3)


def parse_version(text: str) -> Version:
    """`'18.16.1'` or `'26.9.2.1'` -> `(18, 16, 1)` / `(26, 9, 2, 1)`."""
    parts = re.findall(r"\d+", text)
    if not parts:
        raise ValueError(f"not a ClickHouse version: {text!r}")
    return tuple(int(p) for p in parts)


@dataclass(frozen=True)
class Dialect:
    version: Version

    @classmethod
    def for_version(cls, version: Version) -> Dialect:
        return cls(version=tuple(version))

    @property
    def supports_low_cardinality(self) -> bool:
        return self.version >= _LOW_CARDINALITY_SINCE

    @property
    def low_cardinality_is_experimental(self) -> bool:
        return _LOW_CARDINALITY_SINCE <= self.version < _LOW_CARDINALITY_STABLE_SINCE

    @property
    def supports_ttl(self) -> bool:
        return self.version >= _TTL_SINCE

    @property
    def supports_start_of_interval(self) -> bool:
        return self.version >= _START_OF_INTERVAL_SINCE

    def low_cardinality(self, type_: str) -> str:
        return f"LowCardinality({type_})" if self.supports_low_cardinality else type_

    def ttl_clause(self, expr: str) -> str:
        """A table TTL clause, or nothing where the server has no TTL (retention by hand)."""
        return f"TTL {expr}" if self.supports_ttl else ""

    def modify_ttl(self, table: str, expr: str) -> str:
        """A statement setting an existing table's TTL, or nothing where there is no TTL
        (`hotline retention purge` deletes expired rows there)."""
        return f"ALTER TABLE {table} MODIFY TTL {expr}" if self.supports_ttl else ""

    def start_of_interval(self, expr: str, seconds: int) -> str:
        """The start of the `seconds`-long interval containing DateTime `expr`."""
        if seconds <= 0:
            raise ValueError("interval must be positive")
        if self.supports_start_of_interval:
            return f"toStartOfInterval({expr}, INTERVAL {seconds} SECOND)"
        # Same result for intervals that divide a day: both align to the Unix epoch.
        return f"toDateTime(intDiv(toUInt32({expr}), {seconds}) * {seconds})"

    def session_settings(self) -> dict[str, int]:
        """Settings to send with every query. Only what this server knows: an unknown setting
        is silently skipped by clickhouse-driver at best and drops the connection at worst."""
        if self.low_cardinality_is_experimental:
            return {"allow_experimental_low_cardinality_type": 1}
        return {}
