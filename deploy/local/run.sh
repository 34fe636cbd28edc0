#!/usr/bin/env bash
# `make run`: with the local services up, prepare storage and topics, start the pipeline, play a
# simulated evening through it and show what reached ClickHouse. Leaves everything running.
set -euo pipefail
SERVICE_NAME=run
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

HOTLINE="$ROOT/.venv/bin/hotline"
DB="${HOTLINE_CLICKHOUSE__DATABASE:-hotline}"
SEED="${SEED:-2013}"
DATE="${DATE:-2013-03-31}"   # the Sunday daylight saving started: an opening day

say "applying ClickHouse migrations"
"$HOTLINE" migrate
say "creating Kafka topics"
"$HOTLINE" topics create
"$ROOT/deploy/local/pipeline.sh" start

rows_now() {
  clickhouse-client --host 127.0.0.1 --port 9000 -q "SELECT count() FROM $DB.call_events FINAL"
}
before="$(rows_now)"
t0="$(now_s)"
say "posting a simulated evening ($DATE, seed $SEED) to ingest"
"$HOTLINE" simulate --date "$DATE" --seed "$SEED" --duration 120

# The sink flushes at least every second; give the stream a bounded time to drain. A re-run
# posts the same seeded events again, which storage deduplicates: then nothing new arrives.
deadline=$((SECONDS + 60))
last=-1
unchanged=0
while ((SECONDS < deadline)); do
  now="$(rows_now)"
  if [ "$now" -eq "$last" ]; then unchanged=$((unchanged + 1)); else unchanged=0; fi
  last="$now"
  if { [ "$now" -gt "$before" ] && ((unchanged >= 2)); } || ((unchanged >= 10)); then break; fi
  sleep 2
done
say "ClickHouse holds $(rows_now) call events ($((last - before)) new, $(elapsed "$t0")s after posting began)"

query="SELECT municipality_name, count() AS events, uniqExact(call_id) AS calls,
  sum(type = 'offered' AND within_hours) AS offered_open, sum(type = 'offered' AND NOT within_hours) AS offered_closed
FROM $DB.call_events FINAL GROUP BY municipality_name ORDER BY calls DESC"
cat <<MSG

The pipeline is running. See the result yourself with:

  clickhouse-client -q "$(echo "$query" | tr -s ' \n' ' ')" --format PrettyCompact

MSG
clickhouse-client --host 127.0.0.1 --port 9000 --format PrettyCompact -q "$query"
cat <<MSG

Live board (pinned to the simulated evening, which is from 2013):
       http://127.0.0.1:8090/?at=${DATE}T18:45:00Z
Also:  curl -s 127.0.0.1:8080/metrics | grep hotline_   (ingest metrics)
       http://127.0.0.1:9090                               (Prometheus)
       make status / make down                             (what runs / stop everything)
MSG
