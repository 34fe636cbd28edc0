"""`hotline erase`: delete one caller's calls from ClickHouse, by pseudonym or by number.

`--caller-number` computes the pseudonym with the configured secret (HOTLINE_PSEUDONYM_SECRET)
exactly as enrich does, and the number is never printed, logged or sent to ClickHouse: only
the pseudonym is. `--caller-number -` reads it from standard input, which keeps it out of the
shell history and the process list. See docs/privacy.md for what erasure does not reach.
"""

from __future__ import annotations

import argparse
import re
import sys

from hotline_cli.settings import Settings
from hotline_cli.storage import StorageError, open_storage
from hotline_enrich.pseudonym import caller_key
from hotline_sink.erasure import ErasureError, check_key, erase
from hotline_sink.mutations import MutationError

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class NumberError(ValueError):
    """Not a phone number (the message never repeats it)."""


def e164(text: str) -> str:
    """A caller number as the provider sends it (E.164), from what a person types: spaces,
    dashes, dots and brackets dropped, `00` read as `+`, eight digits read as Danish."""
    digits = re.sub(r"[\s\-./()]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif re.fullmatch(r"[0-9]{8}", digits):
        digits = "+45" + digits
    if not _E164.match(digits):
        raise NumberError("not a phone number: give it as +45 12 34 56 78 or 12345678")
    return digits


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "erase", help="delete one caller's calls from ClickHouse (by pseudonym or number)"
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--caller-key", metavar="KEY", help="the caller's pseudonym (64 hex)")
    who.add_argument(
        "--caller-number",
        metavar="NUMBER",
        help="the caller's number; '-' reads it from standard input (preferred)",
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would go")
    parser.add_argument(
        "--reference", default="", help="the request's case number, kept in privacy_log"
    )
    parser.set_defaults(func=run)


def _key(args: argparse.Namespace, settings: Settings) -> str:
    if args.caller_key is not None:
        return check_key(args.caller_key.strip().lower())
    secret = settings.pseudonym_key()
    if secret is None:
        raise ErasureError(
            "--caller-number needs the pseudonym secret enrich uses: set HOTLINE_PSEUDONYM_SECRET"
        )
    raw = sys.stdin.readline() if args.caller_number == "-" else args.caller_number
    key = caller_key(secret, e164(raw))
    assert key is not None
    return key


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    conn = settings.clickhouse
    try:
        key = _key(args, settings)
        with open_storage(conn) as (client, dialect):
            done = erase(
                client, dialect, conn.database, key,
                dry_run=args.dry_run, reference=args.reference, done_by=conn.user,
            )  # fmt: skip
    except (NumberError, ErasureError, StorageError, MutationError) as exc:
        sys.stderr.write(f"hotline erase: {exc}\n")
        return 1
    verb = "would delete" if args.dry_run else "deleted"
    sys.stdout.write(f"caller {key[:12]}... ({conn.database}): {done.calls} call(s)\n")
    for table, found in done.found.items():
        sys.stdout.write(
            f"  {table:13} {verb} {found - (0 if args.dry_run else done.left[table])} row(s)\n"
        )
    return 0
