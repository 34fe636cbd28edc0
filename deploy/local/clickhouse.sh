#!/usr/bin/env bash
# Local ClickHouse server (Debian's clickhouse-server 18.16) as a plain background process.
#
#   deploy/local/clickhouse.sh {start|stop|status|restart}
#   deploy/local/clickhouse.sh env {writer|reader}       # eval "$(...)": export that user's login
#   deploy/local/clickhouse.sh client {writer|reader} [clickhouse-client options...]
#
# Config: deploy/clickhouse/{config,users}.xml rendered into $HOTLINE_STATE_DIR/clickhouse/ on every
# start. Data, tmp, logs, pid file and console output live there too. Not run through systemd.
# Users: hotline_writer and hotline_reader, passwords generated once into
# $HOTLINE_STATE_DIR/secrets/clickhouse.env (see lib.sh); there is no password-less `default`.
# `start` on a running server brings its users.xml up to date too (the server reloads it).
#
#   tcp  127.0.0.1:9000   native protocol (clickhouse-client, clickhouse-driver)  HOTLINE_CLICKHOUSE_TCP_PORT
#   http 127.0.0.1:8123   HTTP interface (GET /ping answers "Ok.")              HOTLINE_CLICKHOUSE_HTTP_PORT
#   127.0.0.1:9009        interserver HTTP (unused on one node, always bound)   HOTLINE_CLICKHOUSE_INTERSERVER_PORT
# A second server (the fault suite's) runs beside the first with its own state folder and ports.
set -euo pipefail
SERVICE_NAME=clickhouse
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CH_STATE="$STATE_DIR/clickhouse"
CONFIG="$CH_STATE/config.xml"
PIDFILE="$CH_STATE/clickhouse.pid"
CONSOLE_LOG="$CH_STATE/clickhouse.log"
ERR_LOG="$CH_STATE/logs/clickhouse-server.err.log"
TCP_PORT="${HOTLINE_CLICKHOUSE_TCP_PORT:-9000}"
HTTP_PORT="${HOTLINE_CLICKHOUSE_HTTP_PORT:-8123}"
INTERSERVER_PORT="${HOTLINE_CLICKHOUSE_INTERSERVER_PORT:-9009}"
START_TIMEOUT="${HOTLINE_CLICKHOUSE_START_TIMEOUT:-60}"
MATCH="--config-file=$CONFIG"

server_binary() {
  # Debian ships /usr/sbin/clickhouse-server; upstream packages ship `clickhouse server`.
  if command -v clickhouse-server >/dev/null 2>&1; then
    command -v clickhouse-server
  elif [ -x /usr/sbin/clickhouse-server ]; then
    echo /usr/sbin/clickhouse-server
  else
    return 1
  fi
}

ensure_installed() {
  # /usr/sbin may be missing from a non-root PATH; look there before installing.
  if ! server_binary >/dev/null || ! command -v clickhouse-client >/dev/null 2>&1; then
    ensure_apt clickhouse-server clickhouse-server
    ensure_apt clickhouse-client clickhouse-client
  fi
  server_binary >/dev/null || die "clickhouse-server not found after installing it"
}

client_version() {
  HOTLINE_CLICKHOUSE_TCP_PORT="$TCP_PORT" clickhouse_client writer --connect_timeout 2 -q 'SELECT version()'
}

sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# write_users DEST: users.xml with the SHA-256 of the generated passwords (never the passwords).
write_users() {
  ensure_local_secrets
  RENDER_EXTRA=(-e "s|@WRITER_SHA256@|$(sha256 "$(clickhouse_secret writer PASSWORD)")|"
    -e "s|@READER_SHA256@|$(sha256 "$(clickhouse_secret reader PASSWORD)")|")
  (
    umask 077
    render_template "$DEPLOY/clickhouse/users.xml" "$1"
  )
  RENDER_EXTRA=()
}

write_config() {
  mkdir -p "$CH_STATE"/{data,tmp,user_files,format_schemas,logs}
  RENDER_EXTRA=(-e "s|<tcp_port>9000<|<tcp_port>$TCP_PORT<|" -e "s|<http_port>8123<|<http_port>$HTTP_PORT<|"
    -e "s|<interserver_http_port>9009<|<interserver_http_port>$INTERSERVER_PORT<|")
  render_template "$DEPLOY/clickhouse/config.xml" "$CONFIG"
  RENDER_EXTRA=()
  write_users "$CH_STATE/users.xml"
}

# sync_users: a running server started with other users (an older users.xml, e.g. the
# password-less `default`) gets the current ones; it re-reads users.xml within seconds.
sync_users() {
  write_users "$CH_STATE/users.xml.new"
  if cmp -s "$CH_STATE/users.xml.new" "$CH_STATE/users.xml"; then
    rm -f "$CH_STATE/users.xml.new"
    return 0
  fi
  mv "$CH_STATE/users.xml.new" "$CH_STATE/users.xml"
  say "users.xml updated (hotline_writer, hotline_reader, no default); waiting for the reload"
  wait_for 30 "the server to accept hotline_writer" client_version \
    || die "the running server did not pick up $CH_STATE/users.xml; restart it"
}

do_start() {
  mkdir -p "$CH_STATE"
  if pid_running "$PIDFILE" "$MATCH"; then
    sync_users
    say "already running (pid $(read_pid "$PIDFILE")) on 127.0.0.1:$TCP_PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  local t0
  t0="$(now_s)"
  ensure_installed
  require_free_port "$TCP_PORT" "$HTTP_PORT" "$INTERSERVER_PORT"
  write_config
  local bin
  bin="$(server_binary)"
  say "starting $bin on 127.0.0.1:$TCP_PORT (http $HTTP_PORT)"
  : >"$CONSOLE_LOG"
  (
    cd "$CH_STATE"
    nohup "$bin" --config-file="$CONFIG" >>"$CONSOLE_LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  )
  if ! WAIT_PIDFILE="$PIDFILE" wait_for "$START_TIMEOUT" "SELECT version() on 127.0.0.1:$TCP_PORT" \
    client_version; then
    show_log_tail "$CONSOLE_LOG" 20
    show_log_tail "$ERR_LOG" 30
    stop_pid "$PIDFILE" "$MATCH" "server" 10 >/dev/null || true
    die "ClickHouse did not start"
  fi
  say "ready: version $(client_version) (pid $(read_pid "$PIDFILE"), $(elapsed "$t0")s)"
}

do_stop() {
  stop_pid "$PIDFILE" "$MATCH" "server" "${HOTLINE_CLICKHOUSE_STOP_TIMEOUT:-30}"
}

do_status() {
  if pid_running "$PIDFILE" "$MATCH"; then
    local v
    v="$(client_version 2>/dev/null || echo '?, not answering')"
    say "running (pid $(read_pid "$PIDFILE")) on 127.0.0.1:$TCP_PORT, version $v"
  else
    say "not running"
    return 1
  fi
}

role_arg() {
  case "${1:-}" in
    writer | reader) ;;
    *) die "expected a role, writer or reader, not '${1:-}'" ;;
  esac
  [ -s "$CLICKHOUSE_SECRETS" ] || die "no $CLICKHOUSE_SECRETS yet: run '$0 start' first"
}

case "${1:-}" in
  env)
    role_arg "${2:-}"
    printf 'export HOTLINE_CLICKHOUSE__USER=%s\n' "$(clickhouse_secret "$2" USER)"
    printf 'export HOTLINE_CLICKHOUSE__PASSWORD=%s\n' "$(clickhouse_secret "$2" PASSWORD)"
    ;;
  client)
    role_arg "${2:-}"
    role="$2"
    shift 2
    HOTLINE_CLICKHOUSE_TCP_PORT="$TCP_PORT" clickhouse_client "$role" "$@"
    ;;
  *) usage_dispatch "${1:-}" ;;
esac
