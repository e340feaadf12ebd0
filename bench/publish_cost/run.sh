#!/usr/bin/env bash
# Server cost of one HTTP publish in the S3 shape (2,000 WebSocket subscribers over
# 1,000 channels, 100 B payload) at a fixed publish rate, so that the figure does not
# depend on how fast the machine (or the loadgen sharing it) is:
#   - CPU µs per publication: the server's utime+stime (/proc) over a 4 s window in
#     the middle of a 10 s run, divided by the publications counted in /metrics;
#   - with MALLOC=1: malloc calls per publication (a perf uprobe on libc's malloc,
#     counted over the same kind of window; needs root and perf).
#
#   - with REDIS=1: on the Redis engine (a redis-server started here on REDIS_PORT,
#     16433 by default); redis-server's CPU µs per publication as well.
#
#   bench/publish_cost/run.sh HERALD_BINARY [HERALD_BINARY...]   (one line per binary)
#   env: RATE=4000 publishes/s, PORT=18933, WSLOAD=<the peer harness's loadgen/build/wsload>
# Alternate the binaries when comparing (A B A B): the machine's load drifts.
set -euo pipefail
RATE=${RATE:-4000}
PORT=${PORT:-18933}
WSLOAD=${WSLOAD:-/work/wt-fanout-bench/loadgen/build/wsload}
LIBC=$(ldconfig -p | awk '/libc.so.6 .*x86-64/ {print $NF; exit}')

REDIS_PORT=${REDIS_PORT:-16433}

for bin in "$@"; do
  engine=()
  if [ "${REDIS:-0}" = 1 ]; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
    rds=$!
    engine=(--redis "redis://127.0.0.1:$REDIS_PORT")
    sleep 0.5
  fi
  "$bin" serve --listen "127.0.0.1:$PORT" --log-level warn "${engine[@]}" >/dev/null 2>&1 &
  srv=$!
  sleep 1
  "$WSLOAD" --protocol native --ws-url "ws://127.0.0.1:$PORT/ws" \
    --publish-url "http://127.0.0.1:$PORT/api/publish" --conns 2000 --channels 1000 \
    --rate "$RATE" --duration 10 --payload 100 >/dev/null 2>&1 &
  lg=$!
  pubs() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^herald_publications_total/ {print $2}'; }
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
  sleep 4
  p0=$(pubs) t0=$(ticks "$srv")
  [ -n "${rds:-}" ] && r0=$(ticks "$rds")
  if [ "${MALLOC:-0}" = 1 ]; then
    perf probe -q -x "$LIBC" --add malloc 2>/dev/null || true
    perf stat -e probe_libc:malloc -x, -o /tmp/publish_cost.$$ -p "$srv" -- sleep 4
    perf probe -q -d probe_libc:malloc
    mallocs=$(awk -F, '/malloc/ {print $1}' /tmp/publish_cost.$$)
    rm -f /tmp/publish_cost.$$
  else
    sleep 4
  fi
  p1=$(pubs) t1=$(ticks "$srv")
  [ -n "${rds:-}" ] && r1=$(ticks "$rds")
  wait "$lg" || true
  kill "$srv"
  wait "$srv" 2>/dev/null || true
  if [ -n "${rds:-}" ]; then
    kill "$rds"
    wait "$rds" 2>/dev/null || true
  fi
  n=$((p1 - p0))
  hz=$(getconf CLK_TCK)
  line="$(basename "$bin"): $n publications, $(echo "scale=1; ($t1 - $t0) * 1000000 / $hz / $n" | bc) µs CPU per publication"
  [ -n "${rds:-}" ] && line+=", redis-server $(echo "scale=1; ($r1 - $r0) * 1000000 / $hz / $n" | bc) µs"
  [ -n "${mallocs:-}" ] && line+=", $(echo "scale=2; $mallocs / $n" | bc) malloc calls per publication"
  echo "$line"
done
