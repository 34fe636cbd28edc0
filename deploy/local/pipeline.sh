#!/usr/bin/env bash
# The pipeline's own services (ingest, enrich, sink, board) as local background processes, and,
# when HOTLINE_FOLLOW_FILE names an Asterisk queue_log, the live follower (hotline follow).
#   pipeline.sh start|stop|status
# Logs and pid files go to $HOTLINE_STATE_DIR/pipeline/. Configuration comes from the
# environment (HOTLINE_*), exactly as in production; the secrets a local run needs come from
# $HOTLINE_STATE_DIR/secrets/ (lib.sh): the sink logs in to ClickHouse as hotline_writer, the
# board as hotline_reader, and ingest, enrich and the sink seal dead letters with the local key.
set -euo pipefail
SERVICE_NAME=pipeline
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="$STATE_DIR/pipeline"
# Local runs only ever see simulated callers: without a configured secret, use enrich's public
# development secret (it logs a warning). Production sets HOTLINE_PSEUDONYM_SECRET.
if [ -z "${HOTLINE_PSEUDONYM_SECRET:-}" ]; then export HOTLINE_DEV="${HOTLINE_DEV:-true}"; fi
HOTLINE="$ROOT/.venv/bin/hotline"
SERVICES=(sink enrich ingest board)
# Optional: follow a live queue_log (its position is kept beside the other services' state).
if [ -n "${HOTLINE_FOLLOW_FILE:-}" ]; then
  SERVICES+=(follow)
  export HOTLINE_FOLLOW_STATE_DIR="${HOTLINE_FOLLOW_STATE_DIR:-$STATE_DIR/follow}"
fi

# ready_check NAME: true when NAME answers on its port.
ready_check() {
  case "$1" in
    ingest) curl -fsS "http://127.0.0.1:${HOTLINE_INGEST_PORT:-8080}/readyz" ;;
    enrich) curl -fsS "http://127.0.0.1:${HOTLINE_ENRICH_WEB_PORT:-6066}/readyz" ;;
    sink) curl -fsS "http://127.0.0.1:${HOTLINE_SINK_METRICS_PORT:-9465}/readyz" ;;
    board) curl -fsS "http://127.0.0.1:${HOTLINE_BOARD_PORT:-8090}/readyz" ;;
    follow) curl -fsS "http://127.0.0.1:${HOTLINE_FOLLOW_METRICS_PORT:-9467}/readyz" ;;
  esac
}

# export_service_env NAME: what NAME needs besides the caller's environment.
export_service_env() {
  case "$1" in
    sink) export_clickhouse_role writer ;;
    board) export_clickhouse_role reader ;;
  esac
  export_dead_letter_key
}

start_one() {
  local name="$1" pidfile="$RUN_DIR/$1.pid" log="$RUN_DIR/$1.log"
  if pid_running "$pidfile" "hotline $name"; then
    say "$name already running (pid $(read_pid "$pidfile"))"
    return 0
  fi
  local t0
  t0="$(now_s)"
  # Under the supervisor: a service that crashes (or is killed) is started again, as
  # Kubernetes would; `stop` ends the supervisor, which stops the service first.
  (
    export_service_env "$name"
    exec nohup "$ROOT/deploy/local/supervise.sh" "$name" "$HOTLINE" "$name" >>"$log" 2>&1
  ) &
  echo $! >"$pidfile"
  if ! WAIT_PIDFILE="$pidfile" wait_for 90 "$name to become ready" ready_check "$name"; then
    show_log_tail "$log"
    die "$name did not start; its log is $log"
  fi
  say "$name ready ($(elapsed "$t0")s, pid $(read_pid "$pidfile"), log $log)"
}

do_start() {
  mkdir -p "$RUN_DIR"
  [ -x "$HOTLINE" ] || die "$HOTLINE is missing; run 'make install' first"
  ensure_local_secrets
  # Ingest verifies webhook signatures locally too (HOTLINE_DEV does not turn that off while a
  # secret is set): the local secret from $STATE_DIR/secrets/, or the caller's own.
  export_webhook_secret
  # Downstream first, so nothing produced waits for a consumer that is not there yet.
  for name in "${SERVICES[@]}"; do start_one "$name"; done
}

do_stop() {
  local i
  # Upstream first: stop accepting before the consumers drain and commit.
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    stop_pid "$RUN_DIR/${SERVICES[i]}.pid" "hotline ${SERVICES[i]}" "${SERVICES[i]}" 30
  done
}

do_status() {
  local name rc=0
  for name in "${SERVICES[@]}"; do
    if pid_running "$RUN_DIR/$name.pid" "hotline $name"; then
      say "$name running (pid $(read_pid "$RUN_DIR/$name.pid"))"
    else
      say "$name not running"
      rc=1
    fi
  done
  return "$rc"
}

usage_dispatch "${1:-}"
