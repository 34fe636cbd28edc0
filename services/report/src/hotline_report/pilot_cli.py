"""`hotline pilot-report`: read the pilot views for a date range, count the dead letters in
Kafka, compute the evaluation, and write it as one HTML document with its data as JSON and CSV.

Exit status: 0 written, 1 ClickHouse could not be read, 2 bad options.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from clickhouse_driver import Client
from clickhouse_driver.errors import Error as ClickHouseError

from hotline_report.cli import ProgressRunner, _first_words
from hotline_report.pilot import document, export, plots
from hotline_report.pilot.analysis import (
    FORECAST_WEEKS,
    HOLDOUT_WEEKS,
    PilotOptions,
    PilotResult,
    analyse,
)
from hotline_report.pilot.data import load
from hotline_report.pilot.deadletters import read_dead_letters
from hotline_report.pilot.i18n import LANGS, Words
from hotline_report.pilot.permanent import EXTRA_POPULATION
from hotline_report.pilot.quality import DeadLetters
from hotline_report.pilot.service import ServiceOptions
from hotline_report.settings import PilotSettings

log = logging.getLogger(__name__)

HTML_NAME = "pilot-report.html"
JSON_NAME = "pilot-report.json"
CSV_DIR = "csv"


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="first",
        type=_day,
        help="first local date (default: the opening schedule's first day)",
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=_day,
        help="last local date, included (default: the schedule's last day)",
    )
    parser.add_argument("--lang", choices=LANGS, default="da", help="document language (da)")
    parser.add_argument(
        "--out",
        type=Path,
        help="directory for pilot-report.html, "
        "pilot-report.json and csv/ (default HOTLINE_PILOT_REPORT_OUT_DIR or "
        "reports/pilot-report)",
    )
    parser.add_argument(
        "--shrinkage",
        type=_number,
        help="paused share of logged-in time (default: from agent events, else 0.15)",
    )
    parser.add_argument(
        "--wrap-up-seconds",
        type=_number,
        help="after-call work per call (default: from agent events, else 60)",
    )
    parser.add_argument(
        "--patience-seconds",
        type=_number,
        help="mean caller patience; 0 = Erlang C (default: estimated)",
    )
    parser.add_argument("--max-occupancy", type=_number, default=0.85, help="default 0.85")
    parser.add_argument("--team-size", type=int, default=19, help="people in the team (19)")
    parser.add_argument(
        "--holdout-weeks",
        type=int,
        default=HOLDOUT_WEEKS,
        help=f"weeks held back to test the forecast ({HOLDOUT_WEEKS})",
    )
    parser.add_argument(
        "--forecast-weeks",
        type=int,
        default=FORECAST_WEEKS,
        help=f"weeks to forecast after the range ({FORECAST_WEEKS})",
    )
    parser.add_argument(
        "--extra-population",
        type=int,
        default=EXTRA_POPULATION,
        help=f"citizens in the 'more municipalities' option ({EXTRA_POPULATION})",
    )
    parser.add_argument(
        "--agent-hour-cost",
        type=_number,
        help="cost of an agent-hour, for the break-even (default: not known)",
    )
    parser.add_argument(
        "--online-cost",
        type=_number,
        help="cost of one online task, for the break-even (default: not known)",
    )
    parser.add_argument(
        "--no-dead-letters",
        action="store_true",
        help="do not read the dead-letter topics from Kafka",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "pilot-report",
        help="the pilot evaluation for the steering group: HTML document, JSON and CSV",
        description=(
            "The pilot evaluation from ClickHouse for a date range: headline figures month by "
            "month with who calls (per 1,000 citizens, with exact intervals and tests), about "
            "what and when; service delivered against the staff on the phones and Erlang A; "
            "options for a permanent service costed in agent-hours; a forecast tested against "
            "last week's figures; data quality with the dead letters in Kafka."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def _options(args: argparse.Namespace, settings: PilotSettings) -> PilotOptions:
    rules = settings.rules
    return PilotOptions(
        service=ServiceOptions(
            target=rules.service_level_target,
            answer_within_seconds=rules.service_level_seconds,
            max_occupancy=args.max_occupancy,
            shrinkage=args.shrinkage,
            wrap_up_seconds=args.wrap_up_seconds,
            patience_seconds=args.patience_seconds,
        ),
        team_size=args.team_size,
        holdout_weeks=args.holdout_weeks,
        forecast_weeks=args.forecast_weeks,
        extra_population=args.extra_population,
        agent_hour_cost=args.agent_hour_cost,
        online_task_cost=args.online_cost,
        short_abandon_seconds=rules.short_abandon_seconds,
    )


def _check(args: argparse.Namespace) -> None:
    if args.shrinkage is not None and not 0 <= args.shrinkage < 1:
        raise ValueError(f"--shrinkage must be >= 0 and < 1, got {args.shrinkage:g}")
    if not 0 < args.max_occupancy <= 1:
        raise ValueError(f"--max-occupancy must be > 0 and <= 1, got {args.max_occupancy:g}")
    for name in ("wrap_up_seconds", "patience_seconds"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise ValueError(f"--{name.replace('_', '-')} must be >= 0, got {value:g}")
    for name in ("agent_hour_cost", "online_cost"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise ValueError(f"--{name.replace('_', '-')} must be > 0, got {value:g}")


def run(args: argparse.Namespace) -> int:
    settings = PilotSettings()
    schedule = settings.rules.schedule()
    first: date | None = args.first or schedule.first_day
    last: date | None = args.last or schedule.last_day
    try:
        if first is None or last is None:
            raise ValueError("the schedule has no first or last day: give --from and --to")
        if last < first:
            raise ValueError(f"--to {last} is before --from {first}")
        _check(args)
        options = _options(args, settings)
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
        runner = ProgressRunner(client, True if args.no_progress else None)
        data = load(runner, conn.database, first, last)
    except (ClickHouseError, OSError, EOFError) as exc:
        log.error(
            "cannot read the pilot views from ClickHouse %s:%d database %s: %s "
            "(is it up, and has `hotline migrate` run?)",
            conn.host,
            conn.port,
            conn.database,
            _first_words(exc),
        )
        return 1
    finally:
        client.disconnect()
    if args.no_dead_letters:
        letters = DeadLetters(False, "not read (--no-dead-letters)", [])
    else:
        letters = read_dead_letters(
            settings.kafka.bootstrap_servers,
            settings.dead_letter_topics,
            first,
            last,
            timeout_s=settings.dead_letter_timeout_s,
        )
        if not letters.available:
            log.warning("dead letters not available: %s", letters.reason)
    result = analyse(data, options, schedule, letters)
    path = write_report(result, args.out or settings.out_dir, args.lang, conn.database)
    sys.stdout.write(describe(result) + f"report: {path}\n")
    return 0


def describe(result: PilotResult) -> str:
    """A few lines for the terminal: the headline and the forecast's verdict."""
    h = result.summary.headline
    sl = "-" if h.service_level is None else f"{h.service_level:.1%}"
    asa = "-" if h.average_wait is None else f"{h.average_wait:.0f} s"
    abandon = "-" if h.abandonment_rate is None else f"{h.abandonment_rate:.1%}"
    lines = [
        f"{result.data.first} to {result.data.last}: {h.calls} calls on {h.open_evenings} open "
        f"evenings, {h.callers} unique callers, service level {sl}, average wait {asa}, "
        f"abandoned {abandon}"
    ]
    bt = result.outlook.backtest
    if bt is not None:
        winner = "the model" if bt.model_better else "seasonal naive"
        lines.append(
            f"forecast back-test over {len(bt.weeks)} weeks: model MAE {bt.model.mae:.2f}, "
            f"seasonal naive {bt.naive.mae:.2f} calls per half hour; {winner} is better"
        )
    return "".join(line + "\n" for line in lines)


def write_report(
    result: PilotResult,
    out: Path,
    lang: str,
    database: str,
    generated_at: datetime | None = None,
) -> Path:
    """pilot-report.html, pilot-report.json and csv/*.csv in `out`; the HTML file's path."""
    moment = generated_at or datetime.now(UTC)
    words = Words(lang)
    out.mkdir(parents=True, exist_ok=True)
    images = plots.render_plots(result, words)
    page = document.render(result, words, images, generated_at=moment, database=database)
    path = out / HTML_NAME
    path.write_text(page, encoding="utf-8")
    body = export.to_json(result, words, generated_at=moment, database=database)
    (out / JSON_NAME).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
    tables = out / CSV_DIR
    tables.mkdir(exist_ok=True)
    for name, text in export.to_csv_tables(body).items():
        (tables / name).write_text(text, encoding="utf-8")
    return path.resolve()


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="hotline pilot-report", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
