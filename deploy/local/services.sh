#!/usr/bin/env bash
# The local real services, as plain processes on 127.0.0.1 (no Docker), state in one folder.
#
#   deploy/local/services.sh {up|down|status}
#
#   up      start Kafka (KRaft, :9092), ClickHouse (:9000/:8123), Prometheus (:9090), in that order
#   down    stop them in reverse order
#   status  one line per service; exits non-zero when any of them is not running
#
# State (data, logs, pid files): $HOTLINE_STATE_DIR, default <repo>/.state.
set -euo pipefail
SERVICE_NAME=services
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$ROOT/deploy/local"
ORDER=(kafka clickhouse prometheus)

up() {
  local t0 s
  t0="$(now_s)"
  say "up: state in $STATE_DIR"
  for s in "${ORDER[@]}"; do
    "$HERE/$s.sh" start
  done
  say "all up ($(elapsed "$t0")s): kafka 127.0.0.1:9092, clickhouse 127.0.0.1:9000 / :8123, prometheus http://127.0.0.1:9090"
}

down() {
  local i rc=0
  for ((i = ${#ORDER[@]} - 1; i >= 0; i--)); do
    "$HERE/${ORDER[i]}.sh" stop || rc=1
  done
  ((rc == 0)) || die "some service did not stop cleanly"
  say "all down"
}

status() {
  local s rc=0
  for s in "${ORDER[@]}"; do
    "$HERE/$s.sh" status || rc=1
  done
  return "$rc"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 {up|down|status}" >&2
    exit 2
    ;;
esac
