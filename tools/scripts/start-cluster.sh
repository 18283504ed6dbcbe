#!/usr/bin/env bash
# Builds Presently and runs it as a cluster on one machine: redis-server (unless
# REDIS_URL names one), two server processes sharing presence through it, and
# HAProxy on http://localhost:3000 with tools/haproxy/presently.cfg (PORT
# overrides; the processes listen on PORT+1 and PORT+2, Redis on REDIS_PORT,
# default 6379). Ctrl-C stops HAProxy, then the processes (each hands its
# users over), then Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/lib.sh

require_node
ensure_npm_packages
ensure_system_packages redis-server haproxy

npx nx run-many -t build --projects=server,demo --output-style=static

PORT="${PORT:-3000}"
REDIS_PORT="${REDIS_PORT:-6379}"
pids=()
redis_pid=""
haproxy_pid=""

# Every child runs in its own session, so that Ctrl-C reaches this script
# alone and the children stop in order.
stop() {
  trap - INT TERM EXIT
  [ -n "$haproxy_pid" ] && kill -TERM "$haproxy_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

if [ -z "${REDIS_URL:-}" ] && [ -z "${REDIS_SENTINELS:-}" ]; then
  setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$(mktemp -d -t presently-redis-XXXXXX)" &
  redis_pid=$!
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do
    kill -0 "$redis_pid" 2>/dev/null || { echo "redis-server did not start on port $REDIS_PORT" >&2; exit 1; }
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
fi

# The demo's poll (apps/demo poll.page.ts) is declared, with any the caller declares.
POLLS="demo:red-or-blue${POLLS:+,$POLLS}"
for port in $((PORT + 1)) $((PORT + 2)); do
  PORT="$port" TRUST_PROXY=1 POLLS="$POLLS" setsid node dist/apps/server/main.js &
  pids+=($!)
done

echo "Presently cluster: http://localhost:$PORT -> :$((PORT + 1)), :$((PORT + 2)) (Redis ${REDIS_URL:-through Sentinel $REDIS_SENTINELS})"
PRESENTLY_LISTEN=":$PORT" PRESENTLY_SERVER_1="127.0.0.1:$((PORT + 1))" PRESENTLY_SERVER_2="127.0.0.1:$((PORT + 2))" \
  setsid "${HAPROXY:-/usr/sbin/haproxy}" -db -f tools/haproxy/presently.cfg &
haproxy_pid=$!
wait "$haproxy_pid"
