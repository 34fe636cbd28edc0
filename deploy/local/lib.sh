# Shared helpers for deploy/local/*.sh. Source it; do not run it.
#
#   HOTLINE_STATE_DIR   where every local service keeps its data, logs and pid files
#                       (default: <repo>/.state)
#
# Every service script follows the same shape: `start` is a no-op when the service already runs,
# `stop` is idempotent, `status` exits 0 only when the service runs.

# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPLOY="$ROOT/deploy"
STATE_DIR="${HOTLINE_STATE_DIR:-$ROOT/.state}"
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"

SERVICE_NAME="${SERVICE_NAME:-local}"

say() { printf '%-11s %s\n' "[$SERVICE_NAME]" "$*"; }
warn() { printf '%-11s %s\n' "[$SERVICE_NAME]" "$*" >&2; }
die() {
  warn "ERROR: $*"
  exit 1
}

# now_s: seconds since the epoch with a fraction, for progress timings.
now_s() { date +%s.%N; }
# elapsed START: seconds since START, one decimal.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# ensure_apt PACKAGE COMMAND...: apt-get install PACKAGE unless every COMMAND is on the PATH.
ensure_apt() {
  local pkg="$1" cmd missing=0
  shift
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || missing=1
  done
  ((missing)) || return 0
  say "installing Debian package $pkg (missing: $*)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    $sudo apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but '$cmd' is still not on the PATH"
  done
}

# read_pid PIDFILE: print the pid recorded in PIDFILE (nothing if absent).
read_pid() {
  [ -s "$1" ] && tr -dc '0-9' <"$1" || true
}

# pid_running PIDFILE PATTERN: true if PIDFILE names a live process whose command line contains
# PATTERN (guards against a stale pid file whose pid was reused by something else).
pid_running() {
  local pidfile="$1" pattern="$2" pid
  pid="$(read_pid "$pidfile")"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

# port_open HOST PORT: true if something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# require_free_port PORT...: fail if another process already listens on 127.0.0.1:PORT.
require_free_port() {
  local port
  for port in "$@"; do
    if port_open 127.0.0.1 "$port"; then
      local who
      who="$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1)"
      die "port 127.0.0.1:$port is already taken by another process${who:+ ($who)}; stop it first"
    fi
  done
}

# wait_for SECONDS DESCRIPTION COMMAND...: run COMMAND every half second until it succeeds.
# Returns 1 after SECONDS; also returns 1 early if $WAIT_PIDFILE is set and that process died.
wait_for() {
  local timeout="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [ -n "${WAIT_PIDFILE:-}" ]; then
      local pid
      pid="$(read_pid "$WAIT_PIDFILE")"
      if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        warn "process exited while waiting for $what"
        return 1
      fi
    fi
    sleep 0.5
  done
  warn "timed out after ${timeout}s waiting for $what"
  return 1
}

# stop_pid PIDFILE PATTERN NAME [TIMEOUT]: SIGTERM, wait up to TIMEOUT seconds (default 30),
# then SIGKILL. Idempotent: a missing or stale pid file is cleaned up and reported.
stop_pid() {
  local pidfile="$1" pattern="$2" name="$3" timeout="${4:-30}" pid
  if ! pid_running "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    say "$name is not running"
    return 0
  fi
  pid="$(read_pid "$pidfile")"
  local t0
  t0="$(now_s)"
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name did not stop within ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pidfile"
  say "$name stopped ($(elapsed "$t0")s)"
}

# show_log_tail FILE [LINES]: print the end of a log to stderr, for failures.
show_log_tail() {
  local file="$1" lines="${2:-40}"
  if [ -f "$file" ]; then
    warn "---- last $lines lines of $file ----"
    tail -n "$lines" "$file" >&2 || true
    warn "----"
  else
    warn "(no log file at $file)"
  fi
}

# render_template SRC DEST: copy SRC to DEST replacing @STATE@ and @ROOT@ with absolute paths.
RENDER_EXTRA=()
render_template() {
  local src="$1" dest="$2" esc_state esc_root
  esc_state="$(printf '%s' "$STATE_DIR" | sed 's/[&|\\]/\\&/g')"
  esc_root="$(printf '%s' "$ROOT" | sed 's/[&|\\]/\\&/g')"
  # Extra "-e" expressions (e.g. ports) come from RENDER_EXTRA, an array the caller may set.
  sed -e "s|@STATE@|$esc_state|g" -e "s|@ROOT@|$esc_root|g" "${RENDER_EXTRA[@]}" "$src" >"$dest.tmp"
  mv "$dest.tmp" "$dest"
}

# usage_dispatch ARG: standard {start|stop|status|restart} dispatcher for a service script that
# defines do_start, do_stop and do_status.
usage_dispatch() {
  case "${1:-}" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    restart)
      do_stop
      do_start
      ;;
    *)
      echo "usage: $0 {start|stop|status|restart}" >&2
      exit 2
      ;;
  esac
}

# --- local secrets -------------------------------------------------------------------------------
# Generated once per state folder by ensure_local_secrets (clickhouse.sh start, pipeline.sh start),
# never overwritten, never committed (.state/ is ignored). Delete the folder to get new ones.
#
#   secrets/clickhouse.env     HOTLINE_CLICKHOUSE_{WRITER,READER}_{USER,PASSWORD}: the server's
#                              users (deploy/clickhouse/users.xml) and every local client
#   secrets/clickhouse-client-{writer,reader}.xml   clickhouse-client --config-file for a role
#   secrets/dead-letter.env    HOTLINE_DEAD_LETTER_KEYS: seals dead letters (docs/privacy.md)
SECRETS_DIR="$STATE_DIR/secrets"
CLICKHOUSE_SECRETS="$SECRETS_DIR/clickhouse.env"
DEAD_LETTER_SECRETS="$SECRETS_DIR/dead-letter.env"
CLICKHOUSE_ROLES=(writer reader)

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# secret_value FILE NAME: the value of NAME=... in FILE (a secrets file).
secret_value() {
  sed -n "s/^$2=//p" "$1" | tail -n 1
}

# write_secret_file FILE: stdin into FILE, readable by its owner only, all or nothing.
write_secret_file() {
  (
    umask 077
    cat >"$1.tmp"
  )
  mv "$1.tmp" "$1"
}

ensure_local_secrets() {
  mkdir -p "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
  if [ ! -s "$CLICKHOUSE_SECRETS" ]; then
    say "generating local ClickHouse passwords into $CLICKHOUSE_SECRETS"
    write_secret_file "$CLICKHOUSE_SECRETS" <<SECRETS
# Local ClickHouse users (deploy/clickhouse/users.xml), generated once by deploy/local/lib.sh.
HOTLINE_CLICKHOUSE_WRITER_USER=hotline_writer
HOTLINE_CLICKHOUSE_WRITER_PASSWORD=$(random_hex 24)
HOTLINE_CLICKHOUSE_READER_USER=hotline_reader
HOTLINE_CLICKHOUSE_READER_PASSWORD=$(random_hex 24)
SECRETS
  fi
  local role
  for role in "${CLICKHOUSE_ROLES[@]}"; do
    write_secret_file "$SECRETS_DIR/clickhouse-client-$role.xml" <<XML
<config>
    <user>$(clickhouse_secret "$role" USER)</user>
    <password>$(clickhouse_secret "$role" PASSWORD)</password>
</config>
XML
  done
  if [ ! -s "$DEAD_LETTER_SECRETS" ]; then
    say "generating the local dead-letter key into $DEAD_LETTER_SECRETS"
    write_secret_file "$DEAD_LETTER_SECRETS" <<SECRETS
# Seals dead letters for replay (docs/privacy.md), generated once by deploy/local/lib.sh.
HOTLINE_DEAD_LETTER_KEYS=$(head -c 32 /dev/urandom | base64 -w0)
SECRETS
  fi
}

# clickhouse_secret ROLE FIELD: e.g. `clickhouse_secret reader PASSWORD`.
clickhouse_secret() {
  local upper
  upper="$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')"
  secret_value "$CLICKHOUSE_SECRETS" "HOTLINE_CLICKHOUSE_${upper}_$2"
}

# export_clickhouse_role ROLE: export HOTLINE_CLICKHOUSE__USER / __PASSWORD of ROLE (writer or
# reader) into this shell. Call it in a subshell, `( export_clickhouse_role reader; exec cmd )`,
# so the role stays with one command and no password shows in a process list.
export_clickhouse_role() {
  [ -s "$CLICKHOUSE_SECRETS" ] || die "no $CLICKHOUSE_SECRETS: start ClickHouse first (make up)"
  HOTLINE_CLICKHOUSE__USER="$(clickhouse_secret "$1" USER)"
  HOTLINE_CLICKHOUSE__PASSWORD="$(clickhouse_secret "$1" PASSWORD)"
  [ -n "$HOTLINE_CLICKHOUSE__USER" ] || die "no ClickHouse $1 in $CLICKHOUSE_SECRETS"
  export HOTLINE_CLICKHOUSE__USER HOTLINE_CLICKHOUSE__PASSWORD
}

# as_clickhouse ROLE COMMAND...: run the program COMMAND as ClickHouse user ROLE.
as_clickhouse() {
  (
    export_clickhouse_role "$1"
    shift
    exec "$@"
  )
}

# export_dead_letter_key: export the local HOTLINE_DEAD_LETTER_KEYS, unless the environment
# already sets it (a production-like run brings its own).
export_dead_letter_key() {
  if [ -z "${HOTLINE_DEAD_LETTER_KEYS:-}" ] && [ -s "$DEAD_LETTER_SECRETS" ]; then
    HOTLINE_DEAD_LETTER_KEYS="$(secret_value "$DEAD_LETTER_SECRETS" HOTLINE_DEAD_LETTER_KEYS)"
    export HOTLINE_DEAD_LETTER_KEYS
  fi
}

# clickhouse_client ROLE ARGS...: clickhouse-client on the local server as ROLE.
clickhouse_client() {
  local role="$1"
  shift
  clickhouse-client --config-file "$SECRETS_DIR/clickhouse-client-$role.xml" \
    --host 127.0.0.1 --port "${HOTLINE_CLICKHOUSE_TCP_PORT:-9000}" "$@"
}

# export_webhook_secret: export HOTLINE_INGEST_WEBHOOK_SECRET (ingest verifies with it, the
# simulator signs with it) unless the caller set one. The local secret is random, generated
# once into $STATE_DIR/secrets/webhook-secret (mode 600) and reused, so a restarted ingest
# and a later simulator run agree. Production secrets come from the provider, never from here.
export_webhook_secret() {
  if [ -n "${HOTLINE_INGEST_WEBHOOK_SECRET:-}" ]; then
    export HOTLINE_INGEST_WEBHOOK_SECRET
    return 0
  fi
  local dir="$STATE_DIR/secrets" file="$STATE_DIR/secrets/webhook-secret"
  if [ ! -s "$file" ]; then
    mkdir -p "$dir"
    chmod 700 "$dir"
    (
      umask 077
      # 32 random bytes, base64: a Standard Webhooks `whsec_` secret.
      printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64 -w0)" >"$file.tmp"
    )
    mv "$file.tmp" "$file"
    say "generated a local webhook signing secret in $file"
  fi
  HOTLINE_INGEST_WEBHOOK_SECRET="$(cat "$file")"
  export HOTLINE_INGEST_WEBHOOK_SECRET
}
