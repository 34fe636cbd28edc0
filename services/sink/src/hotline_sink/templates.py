"""Render SQL templates for one dialect: a tiny placeholder syntax, no template engine.

Placeholders:

- `{{ db }}`: the target database (validated as a plain identifier);
- `{{ lc("String") }}`: `LowCardinality(String)` where the server supports it, else `String`;
- `{{ ttl("occurred_at + INTERVAL 400 DAY") }}`: a `TTL ...` clause, or nothing on old servers;
- `{{ modify_ttl("call_events", "inserted_at + INTERVAL 731 DAY") }}`: an `ALTER TABLE <db>.<table>
  MODIFY TTL ...` statement, or nothing (an empty statement, skipped) on old servers;
- `{{ interval("occurred_at", 900) }}`: start of the 900-second interval containing a DateTime.
"""

from __future__ import annotations

import re

from hotline_sink.dialect import Dialect

_PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>\w+)\s*(?:\((?P<args>.*?)\)\s*)?\}\}")
_STRING_ARG = re.compile(r'^"(?P<value>[^"]*)"$')
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TemplateError(ValueError):
    pass


def identifier(name: str) -> str:
    """`name` if it is a plain identifier: the only values ever spliced into SQL text."""
    if not _IDENTIFIER.match(name):
        raise TemplateError(f"not a plain identifier: {name!r}")
    return name


def _args(raw: str | None) -> list[str]:
    if raw is None or not raw.strip():
        return []
    return [part.strip() for part in raw.split(",")]


def _string(arg: str, placeholder: str) -> str:
    match = _STRING_ARG.match(arg)
    if match is None:
        raise TemplateError(f"{placeholder}: expected a double-quoted string, got {arg!r}")
    return match.group("value")


def render(template: str, dialect: Dialect, database: str) -> str:
    db = identifier(database)

    def substitute(match: re.Match[str]) -> str:
        name, raw = match.group("name"), match.group("args")
        args = _args(raw)
        if name == "db" and raw is None:
            return db
        if name == "lc" and len(args) == 1:
            return dialect.low_cardinality(_string(args[0], name))
        if name == "ttl" and raw is not None:
            return dialect.ttl_clause(_string(raw.strip(), name))
        if name == "modify_ttl" and len(args) == 2:
            table = identifier(_string(args[0], name))
            return dialect.modify_ttl(f"{db}.{table}", _string(args[1], name))
        if name == "interval" and len(args) == 2 and args[1].isdigit():
            return dialect.start_of_interval(_string(args[0], name), int(args[1]))
        raise TemplateError(f"unknown or malformed placeholder: {match.group(0)!r}")

    return _PLACEHOLDER.sub(substitute, template)


def statements(sql: str) -> list[str]:
    """Split rendered SQL into statements: `--` comment lines dropped, `;` at a line's end."""
    out: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            text = "\n".join(current).strip().rstrip(";").strip()
            if text:
                out.append(text)
            current = []
    rest = "\n".join(current).strip()
    if rest:
        out.append(rest)
    return out
