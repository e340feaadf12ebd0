#!/usr/bin/env bash
# run.sh: the example app's read endpoints with and without the cache, under wrk.
# Starts `herald demo` (release build) on a free port with a fresh database, warms
# the endpoint, runs `wrk -t1 -c16 -d10s --latency` on each endpoint, then restarts
# it with --no-cache (every read goes to SQLite) and measures again.
# Knobs: ENDPOINTS (default "/api/products?page=1 /api/dashboard"), DURATION (10s).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
herald=build/release/src/app/herald
if [[ ! -x $herald ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target herald
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
db=$(mktemp -d)/bench.db
pid=""
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$(dirname "$db")"' EXIT
for mode in cache no-cache; do
  extra=()
  [[ $mode == no-cache ]] && extra=(--no-cache)
  "$herald" demo --listen "127.0.0.1:$port" --db "$db" "${extra[@]}" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  for ep in ${ENDPOINTS:-/api/products?page=1 /api/dashboard}; do
    curl -s -o /dev/null "http://127.0.0.1:$port$ep"
    printf '%-9s %-22s ' "$mode" "$ep"
    wrk -t1 -c16 -d"${DURATION:-10s}" --latency "http://127.0.0.1:$port$ep" |
      awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps " req/s, p50 " p50 ", p99 " p99}'
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
