#!/usr/bin/env bash
# supervise.sh NAME COMMAND...: run COMMAND and start it again whenever it exits on its own,
# as Kubernetes restarts a crashed container: after 1 s, then 2, 4, ... up to 30 s, back to
# 1 s once it has run for a minute. Every restart is logged, with the exit status.
# SIGTERM or SIGINT stop the command (SIGTERM, then wait for it) and the supervisor.
# Used by deploy/local/pipeline.sh (`make run`) and the fault suite (tests/chaos).
set -u
name="$1"
shift
child=""
stopping=0
stop() {
  stopping=1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
}
trap stop TERM INT
delay=1
restarts=0
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  rc=$?
  # A trapped signal makes `wait` return early: wait until the command has really ended.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    rc=$?
  done
  child=""
  ((stopping)) && exit 0
  ((SECONDS - started >= 60)) && delay=1
  restarts=$((restarts + 1))
  printf '%s supervise: %s exited with status %s; restart %d in %ss\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$rc" "$restarts" "$delay" >&2
  sleep "$delay" &
  wait $! || true
  ((stopping)) && exit 0
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
