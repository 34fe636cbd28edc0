"""`hotline schemas`: regenerate or check the committed JSON Schema files."""

from __future__ import annotations

import argparse
import sys

from hotline_schemas import jsonschema, paths


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("schemas", help="generate or check the JSON Schema of the contract")
    parser.add_argument("action", choices=["generate", "check"])
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "generate":
        for path in jsonschema.write(paths.JSONSCHEMA_DIR):
            sys.stdout.write(f"wrote {path}\n")
        return 0
    stale = [
        name
        for name, text in jsonschema.render().items()
        if not (paths.JSONSCHEMA_DIR / name).exists()
        or (paths.JSONSCHEMA_DIR / name).read_text(encoding="utf-8") != text
    ]
    for name in stale:
        sys.stderr.write(f"drifted: {name} (run `hotline schemas generate`)\n")
    return 1 if stale else 0
