"""What JSON's grammar allows but events must not hold, found cheaply: pure functions.

Before parsing, on the bytes (C-speed byte operations, no per-character Python loop):

- NUL bytes: refused outright (no valid JSON text holds one; some tools cut strings at them).
- Nesting depth: orjson gives up past 1024 levels and cannot write back more than 255, and no
  event needs more than a few; the depth is measured on the bytes, outside strings.
- Object members: the colons outside strings. Comparing them with the keys the parser kept
  tells, without a second parse, whether some object repeated a key (orjson keeps the last
  one silently); only then is the slow, exact search (`parse_marking_repeats`) run.

After parsing: NUL characters written as `\\u0000` inside strings (only searched for when the
bytes hold that escape), and the paths of repeated keys.

Strings are cut out after dropping escape pairs (`\\"` must not end a string); what remains
outside them is only structure: brackets, braces, colons, commas, numbers and literals.

Cost, measured on 10,000 call events (2.3 MB, CPU time on the 2-core dev machine): the
structure scan 8-11 ms as a JSON array, about 28 ms as NDJSON (strings cut line by line), the
kept-key count under 1 ms; against 10 ms for orjson.loads and about 100 ms for validating the
events. A stdlib `json` pass with an object_pairs_hook would be 21 ms on top. The worst case,
5 MB of brackets, takes about 0.3 s, and only a signed request gets this far.
"""

from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from itertools import accumulate, repeat

# An escape pair inside a string. (A backslash before a line break is never valid JSON; not
# taking the break keeps a bad NDJSON line from joining the next one.)
_ESCAPE = re.compile(rb"\\[^\r\n]")
# Everything but the characters that matter for structure (quotes delimit strings).
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}:')
_NOT_STRUCTURE_OR_BREAK = bytes(range(256)).translate(None, b'"[]{}:\r\n')
# A string within one line: JSON strings hold no raw line breaks.
_STRING_IN_LINE = re.compile(rb'"[^"\r\n]*"')
# Openers become +1, closers -1 (as 2 and 0, shifted by one below); colons are dropped first.
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


@dataclass(frozen=True)
class Structure:
    depth: int  # deepest nesting of arrays and objects (a flat object is 1)
    members: int  # object members in the text, in every object, repeated keys included
    objects: int  # objects in the text
    arrays: int  # arrays in the text


def nul_offset(body: bytes) -> int | None:
    offset = body.find(b"\x00")
    return None if offset < 0 else offset


def structure(body: bytes, lines: bool = False) -> Structure:
    """Depth and member count of JSON text (`lines`: NDJSON, each line on its own);
    meaningless, but safe, for text that is not JSON."""
    if b"\\" in body:
        body = _ESCAPE.sub(b"", body)
    if lines:
        # Strings and depth line by line: an unterminated string or unclosed bracket on a bad
        # line must not turn the rest inside out, nor add to (or hide) the next lines' depth.
        kept = body.translate(None, _NOT_STRUCTURE_OR_BREAK)
        outside = _STRING_IN_LINE.sub(b"", kept).replace(b'"', b"")
        shapes = outside.replace(b":", b"").replace(b"\r", b"\n").split(b"\n")
        # A flat event's line is `{}` once strings and colons are gone: only others are walked.
        depth = max((1 if line == b"{}" else _depth(line) for line in shapes), default=0)
    else:
        # One document: quotes alternate (if they do not, the parser refuses it anyway).
        outside = b"".join(body.translate(None, _NOT_STRUCTURE).split(b'"')[0::2])
        depth = _depth(outside.replace(b":", b""))
    return Structure(
        depth=depth,
        members=outside.count(b":"),
        objects=outside.count(b"{"),
        arrays=outside.count(b"["),
    )


def _depth(brackets: bytes) -> int:
    steps = brackets.translate(_STEPS)
    return max(accumulate(map(operator.sub, steps, repeat(1))), default=0)


def kept_keys_of_items(items: list[object], shape: Structure, arrays: int) -> int:
    """Keys the parser kept in all items (`arrays`: how many arrays hold the items, 0 or 1)."""
    flat = shape.arrays == arrays and shape.objects == len(items)
    if flat and all(type(item) is dict for item in items):
        # Every object in the text is an item itself (nothing nested): one C-level sum,
        # where walking 10,000 events would cost about as much as parsing them again.
        return sum(map(len, items))  # type: ignore[arg-type]
    return sum(kept_keys(item) for item in items)


def kept_keys(value: object) -> int:
    """Keys in every object of a parsed value (after the parser dropped repeated ones)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))
    return count


class _Repeats(dict[str, object]):
    """An object whose text repeated a key (the stdlib parser shows us every pair)."""

    repeated: list[str]


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    kept = dict(pairs)
    if len(kept) == len(pairs):
        return kept
    marked = _Repeats(kept)
    seen: set[str] = set()
    marked.repeated = []
    for key, _ in pairs:
        if key in seen and key not in marked.repeated:
            marked.repeated.append(key)
        seen.add(key)
    return marked


def parse_marking_repeats(text: bytes) -> object:
    """The slow path: parse valid JSON with the stdlib, marking objects with repeated keys."""
    return json.loads(text, object_pairs_hook=_pairs)


def repeated_keys(value: object) -> list[str]:
    """Dotted paths of the repeated keys in a value from `parse_marking_repeats`."""
    found: list[str] = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, _Repeats):
            found.extend(f"{path}{key}" for key in item.repeated)
        if isinstance(item, dict):
            stack.extend((f"{path}{key}.", v) for key, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{path}{n}.", v) for n, v in enumerate(item))
    return sorted(found)


def may_hold_nul_escape(body: bytes) -> bool:
    return b"\\u0000" in body


def nul_paths(value: object) -> list[str]:
    """Dotted paths of the strings (keys or values) in a parsed value that hold a NUL."""
    found: list[str] = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                found.append(path.rstrip(".") or "(item)")
        elif isinstance(item, dict):
            for key, v in item.items():
                if "\x00" in key:
                    found.append(f"{path}{key!r}")
                stack.append((f"{path}{key}.", v))
        elif isinstance(item, list):
            stack.extend((f"{path}{n}.", v) for n, v in enumerate(item))
    return sorted(found)
