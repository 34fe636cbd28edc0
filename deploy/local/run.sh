#!/usr/bin/env bash
# `make run`: with the local services up, prepare storage and topics, start the pipeline, play
# simulated evenings through it, show what reached ClickHouse and write the catchment load
# report from it. Leaves everything running.
set -euo pipefail
SERVICE_NAME=run
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

HOTLINE="$ROOT/.venv/bin/hotline"
DB="${HOTLINE_CLICKHOUSE__DATABASE:-hotline}"
SEED="${SEED:-2013}"
DATE="${DATE:-2013-03-31}"   # Easter Sunday, the day daylight saving started: closed (a holiday)
DAYS="${DAYS:-21}"           # opening evenings up to DATE (about five weeks of history for the
                             # report) and the closed days among them: weekends, Easter
REPORT_DIR="${REPORT_DIR:-$ROOT/reports/load-report}"
PILOT_DIR="${PILOT_DIR:-$ROOT/reports/pilot-report}"
PILOT_LANG="${PILOT_LANG:-da}"

# The same signing secret for ingest (started below) and the simulator, which signs with
# HOTLINE_INGEST_WEBHOOK_SECRET when it has no HOTLINE_SIMULATOR_WEBHOOK_SECRET of its own.
export_webhook_secret

say "applying ClickHouse migrations"
as_clickhouse writer "$HOTLINE" migrate
say "creating Kafka topics"
"$HOTLINE" topics create
"$ROOT/deploy/local/pipeline.sh" start

rows_now() {
  clickhouse_client reader -q "SELECT count() FROM $DB.call_events FINAL"
}
before="$(rows_now)"
t0="$(now_s)"
# The board opens on the last evening the hotline was open (the schedule skips Easter).
EVENING="$("$HOTLINE" schedule last-open "$DATE")"
say "posting $DAYS simulated opening evenings up to $DATE (the last on $EVENING; seed $SEED) to ingest"
"$HOTLINE" simulate --date "$DATE" --days "$DAYS" --seed "$SEED" --duration 120

# With HOTLINE_FOLLOW_FILE set, the follower (started by pipeline.sh) reads that queue_log: the
# simulator writes the next opening evening to it (after Easter Sunday: Easter Monday is closed,
# so Tuesday 2 April) as the telephony system would.
if [ -n "${HOTLINE_FOLLOW_FILE:-}" ]; then
  next_day="$("$HOTLINE" schedule next-open "$DATE")"
  say "writing the evening of $next_day to $HOTLINE_FOLLOW_FILE as Asterisk's queue_log (hotline follow reads it)"
  mkdir -p "$(dirname "$HOTLINE_FOLLOW_FILE")"
  "$HOTLINE" simulate --date "$next_day" --seed "$SEED" --format asterisk-queue-log >>"$HOTLINE_FOLLOW_FILE"
  follow_metrics="http://127.0.0.1:${HOTLINE_FOLLOW_METRICS_PORT:-9467}/metrics"
  follower_caught_up() { curl -fsS "$follow_metrics" | grep -q '^hotline_follow_backlog_bytes 0.0$'; }
  wait_for 60 "the follower to read $HOTLINE_FOLLOW_FILE" follower_caught_up || warn "the follower is still reading"
fi

# Wait (bounded) until enrich and the sink have processed and committed everything posted: then
# every accepted event is in ClickHouse, with its call's record. A re-run posts the same seeded
# events again, which storage deduplicates: then nothing new arrives.
say "waiting for enrich and the sink to catch up"
"$HOTLINE" topics lag --wait 300
now="$(rows_now)"
records="$(clickhouse_client reader -q "SELECT count() FROM $DB.call_records FINAL")"
say "ClickHouse holds $now call events ($((now - before)) new) and $records call records, $(elapsed "$t0")s after posting began"

query="SELECT municipality_name, count() AS events, uniqExact(call_id) AS calls,
  sum(type = 'offered' AND within_hours) AS offered_open, sum(type = 'offered' AND NOT within_hours) AS offered_closed
FROM $DB.call_events FINAL GROUP BY municipality_name ORDER BY calls DESC"
cat <<MSG

The pipeline is running. See the result yourself, as the read-only user, with:

  deploy/local/clickhouse.sh client reader -q "$(echo "$query" | tr -s ' \n' ' ')" --format PrettyCompact

MSG
clickhouse_client reader --format PrettyCompact -q "$query"
echo
say "writing the catchment load report"
as_clickhouse reader "$HOTLINE" load-report --out "$REPORT_DIR"
# The pilot evaluation over the whole pilot, built from what the simulation put in: its quality
# section lists the evenings the simulation left out. Five weeks of history hold back two for
# the forecast's test (a real year holds back eight). Bounded: a stuck read fails the run.
say "writing the pilot evaluation ($PILOT_LANG)"
as_clickhouse reader timeout 300 "$HOTLINE" pilot-report --from 2012-12-03 --to 2013-12-01 \
  --lang "$PILOT_LANG" --holdout-weeks 2 --out "$PILOT_DIR" --no-progress
cat <<MSG

Load report (Markdown with PNG plots, and report.json):
       $REPORT_DIR/report.md
Pilot evaluation (one HTML document to open, print or mail; pilot-report.json and csv/):
       $PILOT_DIR/pilot-report.html
Live board (pinned to the last simulated opening evening, which is from 2013):
       http://127.0.0.1:8090/?at=${EVENING}T18:45:00Z
Opening schedule (holidays included):  $HOTLINE schedule days --from 2013-03-24 --to 2013-04-02
Also:  curl -s 127.0.0.1:8080/metrics | grep hotline_   (ingest metrics)
       http://127.0.0.1:9090                               (Prometheus)
       make status / make down                             (what runs / stop everything)
MSG
