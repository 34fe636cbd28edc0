#!/usr/bin/env bash
# Local Prometheus (Debian's prometheus 2.42) as a plain background process on 127.0.0.1:9090.
#
#   deploy/local/prometheus.sh {start|stop|status|restart|reload}
#
# Config: deploy/prometheus/prometheus.yml (+ rules/*.yml), checked with `promtool check config`
# before every start and reload. TSDB, console output and pid file: $HOTLINE_STATE_DIR/prometheus.
# `reload` re-reads the config and rules without a restart (POST /-/reload, --web.enable-lifecycle).
set -euo pipefail
SERVICE_NAME=prometheus
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P_STATE="$STATE_DIR/prometheus"
CONFIG="$DEPLOY/prometheus/prometheus.yml"
DATA_DIR="$P_STATE/data"
PIDFILE="$P_STATE/prometheus.pid"
CONSOLE_LOG="$P_STATE/prometheus.log"
LISTEN=127.0.0.1:9090
START_TIMEOUT="${HOTLINE_PROMETHEUS_START_TIMEOUT:-60}"
MATCH="--storage.tsdb.path=$DATA_DIR"

http_ok() {
  curl -fsS -m 2 -o /dev/null "$1"
}

check_config() {
  promtool check config "$CONFIG" >"$P_STATE/promtool.out" 2>&1 || {
    cat "$P_STATE/promtool.out" >&2
    die "promtool check config $CONFIG failed"
  }
}

do_start() {
  mkdir -p "$P_STATE" "$DATA_DIR"
  if pid_running "$PIDFILE" "$MATCH"; then
    say "already running (pid $(read_pid "$PIDFILE")) on $LISTEN"
    return 0
  fi
  rm -f "$PIDFILE"
  local t0
  t0="$(now_s)"
  ensure_apt prometheus prometheus promtool
  command -v curl >/dev/null 2>&1 || ensure_apt curl curl
  require_free_port 9090
  check_config
  say "starting prometheus on $LISTEN (config deploy/prometheus/prometheus.yml)"
  : >"$CONSOLE_LOG"
  (
    cd "$P_STATE"
    nohup prometheus \
      --config.file="$CONFIG" \
      --storage.tsdb.path="$DATA_DIR" \
      --storage.tsdb.retention.time="${HOTLINE_PROMETHEUS_RETENTION:-7d}" \
      --web.listen-address="$LISTEN" \
      --web.enable-lifecycle \
      >>"$CONSOLE_LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  )
  if ! WAIT_PIDFILE="$PIDFILE" wait_for "$START_TIMEOUT" "http://$LISTEN/-/ready" \
    http_ok "http://$LISTEN/-/ready"; then
    show_log_tail "$CONSOLE_LOG" 30
    stop_pid "$PIDFILE" "$MATCH" "prometheus" 10 >/dev/null || true
    die "Prometheus did not become ready"
  fi
  say "ready on http://$LISTEN (pid $(read_pid "$PIDFILE"), $(elapsed "$t0")s)"
}

do_stop() {
  stop_pid "$PIDFILE" "$MATCH" "prometheus" "${HOTLINE_PROMETHEUS_STOP_TIMEOUT:-30}"
}

do_status() {
  if pid_running "$PIDFILE" "$MATCH"; then
    say "running (pid $(read_pid "$PIDFILE")) on http://$LISTEN"
  else
    say "not running"
    return 1
  fi
}

do_reload() {
  pid_running "$PIDFILE" "$MATCH" || die "not running"
  check_config
  curl -fsS -m 10 -X POST "http://$LISTEN/-/reload" || die "reload failed (see $CONSOLE_LOG)"
  say "configuration and rules reloaded"
}

if [ "${1:-}" = reload ]; then
  do_reload
else
  usage_dispatch "${1:-}"
fi
