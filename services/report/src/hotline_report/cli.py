"""`hotline load-report`: read the load views, compute the figures, write Markdown, JSON and
PNG plots, and print where the report is.

Exit status: 0 report written, 1 ClickHouse could not be read, 2 bad options.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from clickhouse_driver import Client
from clickhouse_driver.errors import Error as ClickHouseError
from tqdm import tqdm

from hotline_capacity.scenario_args import add_scenario_arguments, parse_scenario
from hotline_report import plots, render
from hotline_report.analysis import ReportOptions, ReportResult, analyse
from hotline_report.queries import Rows, load
from hotline_report.settings import Settings

log = logging.getLogger(__name__)

# Scenario options at these values leave today's situation unchanged: no what-if section
# (`--target` defaults to the rules' target, HOTLINE_RULES__SERVICE_LEVEL_*).
_NO_SCENARIO: dict[str, object] = {
    "hours": None,
    "add_day": [],
    "donor_factor": "1.0",
    "extra_population": "0",
    "growth": "1.0",
    "target": None,
}


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, help="directory for report.md, report.json and the PNG plots "
        "(default HOTLINE_REPORT_OUT_DIR or reports/load-report)",
    )  # fmt: skip
    parser.add_argument("--max-occupancy", type=_float, default=0.85, help="default 0.85")
    parser.add_argument(
        "--shrinkage", type=_float, default=0.0, help="share of rostered time off-phone (0)"
    )
    parser.add_argument(
        "--wrap-up-seconds", type=_float, default=0.0,
        help="after-call work added to the observed talk time (the events do not carry it)",
    )  # fmt: skip
    parser.add_argument(
        "--patience-seconds", type=_float,
        help="mean caller patience for Erlang A; 0 = Erlang C (default: estimated from history)",
    )  # fmt: skip
    parser.add_argument("--team-size", type=int, default=19, help="agents in the team (19)")
    parser.add_argument("--label", default="", help="name of the what-if scenario")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_scenario_arguments(parser)
    # Today's target is a business rule; --target sets a what-if target instead.
    parser.set_defaults(target=None)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "load-report",
        help="catchment load and staffing report from ClickHouse (Markdown, JSON, PNG)",
        description=(
            "Calls per 1,000 citizens per municipality per open evening, calls from outside the "
            "catchment or without a postcode, demand while closed, topic mix, and per half hour "
            "of the week the offered load (mean, p90), observed AHT and abandonment and the "
            "agents needed (Erlang C/A) against the 19-person team; optionally a what-if "
            "scenario; and next week's forecast with its back-test error."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def _scenario_given(args: argparse.Namespace) -> bool:
    return any(getattr(args, name) != value for name, value in _NO_SCENARIO.items())


class ProgressRunner:
    """Runs each read with a progress bar of rows read (ClickHouse sends progress packets).

    ``disable=None`` shows the bars only on a terminal, so logs and pipes stay clean.
    """

    def __init__(self, client: Client, disable: bool | None, file: TextIO | None = None) -> None:
        self.client = client
        self.disable = disable
        self.file = file or sys.stderr

    def __call__(self, name: str, sql: str) -> Rows:
        progress = self.client.execute_with_progress(sql)
        with tqdm(desc=f"{name:<15}", unit=" rows", disable=self.disable, file=self.file) as bar:
            for read, total in progress:
                if total and bar.total != total:
                    bar.total = total
                bar.update(read - bar.n)
        rows: Rows = progress.get_result()
        return rows


def _first_words(exc: BaseException) -> str:
    # A server exception's text ends in a long C++ stack trace: not for a terminal.
    text = " ".join(str(exc).split())
    return text.split(" Stack trace:")[0][:300]


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    rules = settings.rules
    scenario_given = _scenario_given(args)
    if args.target is None:
        args.target = f"{rules.service_level_target:g}/{rules.service_level_seconds:g}"
    try:
        if scenario_given:  # check the spelling before a long read; population comes later
            parse_scenario(args, base_population=1)
        options = ReportOptions(
            max_occupancy=args.max_occupancy,
            shrinkage=args.shrinkage,
            wrap_up_seconds=args.wrap_up_seconds,
            patience_seconds=args.patience_seconds,
            team_size=args.team_size,
            service_level_target=rules.service_level_target,
            answer_within_seconds=rules.service_level_seconds,
        )
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    conn = settings.clickhouse
    client = Client(
        host=conn.host,
        port=conn.port,
        user=conn.user,
        password=conn.password.get_secret_value(),
        connect_timeout=5,
        send_receive_timeout=settings.query_timeout_s,
        settings={"readonly": 1, "max_execution_time": int(settings.query_timeout_s)},
    )
    try:
        data = load(ProgressRunner(client, True if args.no_progress else None), conn.database)
    except (ClickHouseError, OSError, EOFError) as exc:
        log.error(
            "cannot read the load views from ClickHouse %s:%d database %s: %s "
            "(is it up, and has `hotline migrate` run?)",
            conn.host, conn.port, conn.database, _first_words(exc),
        )  # fmt: skip
        return 1
    finally:
        client.disconnect()
    if scenario_given:
        try:
            scenario = parse_scenario(args, base_population=data.member_population or None)
        except ValueError as exc:
            log.error("%s", exc)
            return 2
        label = args.label or render.describe_scenario(scenario)
        options = replace(options, scenario=scenario, scenario_label=label)
    try:
        result = analyse(data, options)
    except ValueError as exc:  # e.g. a staffing input out of range
        log.error("cannot compute the report: %s", exc)
        return 2
    path = write_report(result, args.out or settings.out_dir, conn.database)
    sys.stdout.write(f"today: {result.baseline.summary.describe()}\n")
    if result.whatif is not None:
        sys.stdout.write(f"{result.whatif.label}: {result.whatif.summary.describe()}\n")
    sys.stdout.write(f"report: {path}\n")
    return 0


def write_report(result: ReportResult, out: Path, database: str) -> Path:
    """report.md, report.json and the plots in ``out``; the Markdown file's absolute path."""
    out.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC)
    written = plots.write_plots(result, out)
    body = render.to_json(result, generated_at=generated, database=database)
    (out / "report.json").write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    markdown = render.to_markdown(
        result, generated_at=generated, database=database, plots=written, base=out
    )
    path = out / "report.md"
    path.write_text(markdown, encoding="utf-8")
    return path.resolve()


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m hotline_report", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
