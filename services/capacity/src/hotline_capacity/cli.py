"""``hotline staffing``: the argparse front end of :mod:`hotline_capacity.staffing`.

The lead's ``hotline`` command mounts it with :func:`register`; ``main`` runs it on
its own (``python -m hotline_capacity staffing ...``). Numbers are parsed as
Decimal so that ``--shrinkage 0.3`` reaches the exact rounding as 3/10.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from hotline_capacity.staffing import StaffingResult, offered_load, required_agents

__all__ = ["TEAM_SIZE", "add_staffing_parser", "main", "register", "run_staffing"]

# The evening hotline's whole team; the one-line verdict compares against it.
TEAM_SIZE = 19


def _decimal(text: str) -> Decimal:
    """argparse type: a finite decimal number (argparse turns the error into exit 2)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def add_staffing_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "staffing",
        help="agents needed for a service level (Erlang C, or Erlang A with --patience-seconds)",
        description=(
            "Smallest number of productive agents meeting the service-level target, raised to "
            "respect the occupancy cap, and the rostered agents after shrinkage. Erlang C; "
            "Erlang A when --patience-seconds is given (callers who hang up count as not "
            "answered within the threshold)."
        ),
    )
    parser.add_argument("--calls", type=_decimal, required=True, help="calls offered per interval")
    parser.add_argument("--interval-minutes", type=_decimal, default=Decimal(30))
    parser.add_argument("--aht-seconds", type=_decimal, default=Decimal(300))
    parser.add_argument("--answer-within-seconds", type=_decimal, default=Decimal(20))
    parser.add_argument(
        "--target-service-level", type=_decimal, default=Decimal("0.8"), help="e.g. 0.8"
    )
    parser.add_argument("--max-occupancy", type=_decimal, default=Decimal("0.85"))
    parser.add_argument(
        "--shrinkage", type=_decimal, default=Decimal(0), help="share of rostered time off-phone"
    )
    parser.add_argument(
        "--patience-seconds",
        type=_decimal,
        default=None,
        help="mean caller patience; switches from Erlang C to Erlang A",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run_staffing)
    return parser


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Hook used by the ``hotline`` command to mount this package's subcommands."""
    add_staffing_parser(subparsers)


def run_staffing(args: argparse.Namespace) -> int:
    try:
        result = required_agents(
            calls=args.calls,
            interval_minutes=args.interval_minutes,
            aht_seconds=args.aht_seconds,
            answer_within_seconds=args.answer_within_seconds,
            target_service_level=args.target_service_level,
            max_occupancy=args.max_occupancy,
            shrinkage=args.shrinkage,
            patience_seconds=args.patience_seconds,
        )
    except ValueError as exc:
        sys.stderr.write(f"hotline staffing: error: {exc}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(_rounded(result), sort_keys=True) + "\n")
    else:
        sys.stdout.write(_table(args, result))
    return 0


def _rounded(result: StaffingResult) -> dict[str, int | float | None]:
    """JSON-ready values: probabilities to 4 decimals, seconds to 2; inf becomes null."""
    out: dict[str, int | float | None] = {}
    for key, value in result.as_dict().items():
        if isinstance(value, int):
            out[key] = value
        elif not math.isfinite(value):
            out[key] = None
        else:
            out[key] = round(value, 2 if key.endswith("_seconds") else 4)
    return out


def _pct(share: Decimal) -> str:
    """0.8 -> '80%', 0.875 -> '87.5%' (an input is shown as given, not rounded)."""
    return f"{float(share) * 100:g}%"


def _table(args: argparse.Namespace, result: StaffingResult) -> str:
    load = offered_load(args.calls, args.interval_minutes, args.aht_seconds)
    model = "Erlang C" if args.patience_seconds is None else "Erlang A"
    target = f"{_pct(args.target_service_level)} within {args.answer_within_seconds} s"
    rows = [
        ("Model", model),
        ("Offered calls", f"{args.calls} per {args.interval_minutes} min"),
        ("Average handling time", f"{args.aht_seconds} s"),
        ("Offered load", f"{float(load):.2f} Erlang"),
        ("Service-level target", target),
        ("Occupancy cap", _pct(args.max_occupancy)),
    ]
    if args.patience_seconds is not None:
        rows.append(("Mean patience", f"{args.patience_seconds} s"))
    rows += [
        ("Productive agents", str(result.agents)),
        ("Shrinkage", _pct(args.shrinkage)),
        ("Rostered agents", str(result.rostered_agents)),
        ("Service level", f"{result.service_level:.1%}"),
        ("Occupancy", f"{result.occupancy:.1%}"),
        ("Probability of waiting", f"{result.waiting_probability:.1%}"),
        ("Average speed of answer", f"{result.average_speed_of_answer_seconds:.1f} s"),
    ]
    if result.abandonment_probability is not None:
        rows.append(("Abandonment", f"{result.abandonment_probability:.1%}"))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    spare = TEAM_SIZE - result.rostered_agents
    verdict = f"{spare} to spare" if spare >= 0 else f"short by {-spare}"
    lines.append(
        f"Needs {result.rostered_agents} rostered agents; the team has {TEAM_SIZE} ({verdict})."
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry: ``staffing`` is the only subcommand for now."""
    parser = argparse.ArgumentParser(prog="hotline_capacity")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already reported
        return exc.code if isinstance(exc.code, int) else 2
    status: int = args.func(args)
    return status
