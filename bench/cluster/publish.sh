#!/usr/bin/env bash
# bench/cluster/publish.sh: publish throughput of one Herald node on the Redis engine,
# on one redis-server next to a Redis Cluster of three primaries (issue 13), in one
# run: wrk POSTs /api/publish (bench/cluster/publish.lua: CHANNELS channels, 100-byte
# payloads, no subscribers) with CONNECTIONS connections for DURATION seconds, in
# alternating rounds; each publish is the engine's publish script (offset, history,
# Pub/Sub) on the channel's primary. Prints one JSON line per run: publishes/s,
# latency percentiles, non-200 answers, and the CPU of Herald and of the Redis
# server(s) over the run (from /proc, % of one core).
#
# Usage: bench/cluster/publish.sh  Knobs: ROUNDS=3 DURATION=5 CONNECTIONS=64
#        CHANNELS=64 THREADS=1 (herald --threads) WORK=/tmp/herald-cluster-publish
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
export CHANNELS=${CHANNELS:-64}
THREADS=${THREADS:-1}
WORK=${WORK:-/tmp/herald-cluster-publish}
HERALD=${HERALD:-$ROOT/build/release/src/app/herald}
mkdir -p "$WORK"
if [[ ! -x "$HERALD" ]]; then
  cmake --preset release >/dev/null
  cmake --build build/release --target herald
fi

# shellcheck source=bench/cluster/processes.sh
source "$ROOT/bench/cluster/processes.sh"  # PIDS killed on exit
start_redis_server "$WORK"
start_redis_cluster "$WORK"

cpu_ticks() { # PID...: utime+stime of the processes, in clock ticks
  local t=0 p f
  for p in "$@"; do
    read -ra f <"/proc/$p/stat"
    t=$((t + f[13] + f[14]))
  done
  echo "$t"
}

run() { # TOPOLOGY
  local topology=$1 url redis_pids port pid h0 r0 h1 r1 out
  if [[ $topology == cluster ]]; then
    url=$CLUSTER_URL
    redis_pids=("${CLUSTER_PIDS[@]}")
    for p in "${CLUSTER_PORTS[@]}"; do redis-cli -p "$p" flushall >/dev/null; done
  else
    url="redis://127.0.0.1:$REDIS_PORT"
    redis_pids=("$REDIS_PID")
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
  fi
  port=$(free_port)
  "$HERALD" serve --listen "127.0.0.1:$port" --log-level warn --threads "$THREADS" \
    --redis "$url" >"$WORK/herald-$topology-$port.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_ready "$port"
  h0=$(cpu_ticks "$pid")
  r0=$(cpu_ticks "${redis_pids[@]}")
  out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/cluster/publish.lua \
    "http://127.0.0.1:$port")
  h1=$(cpu_ticks "$pid")
  r1=$(cpu_ticks "${redis_pids[@]}")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  python3 - "$topology" "$out" "$((h1 - h0))" "$((r1 - r0))" "$DURATION" "$(getconf CLK_TCK)" <<'PY'
import json, re, sys
topology, out, herald_ticks, redis_ticks, duration, hz = sys.argv[1:]
def lat(name):
    m = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)", out, re.M)
    if not m: return None
    v = float(m.group(1)); return v * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errors = re.search(r"Socket errors: (.*)", out)
pct = lambda t: round(100 * int(t) / int(hz) / float(duration), 1)
print(json.dumps({"topology": topology, "publishes_per_s": rps, "p50_ms": lat(50), "p99_ms": lat(99),
                  "non_200": int(non2xx.group(1)) if non2xx else 0,
                  "socket_errors": errors.group(1) if errors else None,
                  "herald_cpu_pct": pct(herald_ticks), "redis_cpu_pct": pct(redis_ticks)}))
PY
}

echo "redis $(redis-server --version | awk '{print $3}'), $(nproc) cores, $(date -u +%FT%TZ), herald --threads $THREADS, wrk -c$CONNECTIONS, $CHANNELS channels"
for _ in $(seq 1 "$ROUNDS"); do
  run single
  run cluster
done
