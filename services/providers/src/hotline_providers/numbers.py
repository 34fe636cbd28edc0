"""Telephone numbers as providers write them -> E.164 (pure).

Providers write the same number many ways: `+4586123456`, `004586123456`, `4586123456`,
`86 12 34 56`, `86123456`; a withheld number is empty, `anonymous`, `Restricted`, `unknown` and
the like. The contract wants E.164 (`+` and 7-15 digits) or nothing.
"""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SEPARATORS = re.compile(r"[\s\-().]")
# Danish subscriber numbers have eight digits; other plans are written with a country code.
NATIONAL_DIGITS = 8


def e164(raw: str | None, country_code: str = "45") -> str | None:
    """The number in E.164, or None when it is withheld or not a telephone number."""
    if raw is None:
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if not text:
        return None
    if text.startswith("+"):
        candidate = text
    elif text.startswith("00"):
        candidate = "+" + text[2:]
    elif not text.isdigit():
        return None  # anonymous, restricted, unknown, a SIP URI, ...
    elif len(text) == NATIONAL_DIGITS:
        candidate = f"+{country_code}{text}"
    elif text.startswith(country_code) and len(text) == len(country_code) + NATIONAL_DIGITS:
        candidate = "+" + text
    else:
        return None
    return candidate if _E164.match(candidate) else None
