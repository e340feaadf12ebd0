#!/usr/bin/env bash
# bench/cluster/run.sh: what the Redis hop costs. The shared peer harness's loadgen
# (../shared/bench-peers/loadgen, built into $WORK) drives the same load against
#   single   one node, the embedded memory engine
#   redis1   one node, the Redis engine
#   redis3   three nodes on one Redis, connections and publishes spread over them
#   cluster1 one node, the Redis engine on a Redis Cluster of three primaries
#   cluster3 three nodes on that cluster (issue 13: same run as redis1 / redis3)
# and prints one JSON line per run (delivered/s, publish-to-deliver p50/p99/p999,
# server and Redis CPU). With PERF=1 it also records `perf` on the nodes of the
# redis3 run and writes a report (where the time goes) next to the results.
#
# Usage: bench/cluster/run.sh            (release build of herald, built if missing)
# Knobs: CONNS=3000 CHANNELS=30 RATE=1000 (publishes/s; 0 = as fast as answered)
#        DURATION=10 ROUNDS=1 PERF=0 WORK=/tmp/herald-cluster-bench
#        RUNS="single redis1 redis3" (add cluster1 cluster3 for the Redis Cluster; its
#        three primaries have no replicas: replication is not what is measured)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CONNS=${CONNS:-3000}
CHANNELS=${CHANNELS:-30}
RATE=${RATE:-1000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
RUNS=${RUNS:-single redis1 redis3}
PERF=${PERF:-0}
WORK=${WORK:-/tmp/herald-cluster-bench}
HERALD=${HERALD:-$ROOT/build/release/src/app/herald}
mkdir -p "$WORK"

if [[ ! -x "$HERALD" ]]; then
  cmake --preset release >/dev/null
  cmake --build build/release --target herald
fi
LOADGEN="$WORK/loadgen/build/wsload"
if [[ ! -x "$LOADGEN" ]]; then
  rm -rf "$WORK/loadgen"
  cp -r "$ROOT/../shared/bench-peers/loadgen" "$WORK/loadgen"
  "$WORK/loadgen/build.sh" >/dev/null
fi

# shellcheck source=bench/cluster/processes.sh
source "$ROOT/bench/cluster/processes.sh"  # PIDS killed on exit
start_redis_server "$WORK"
# The Redis Cluster, started only when a cluster run is asked for.
[[ " $RUNS " == *" cluster"* ]] && start_redis_cluster "$WORK"

run() { # LABEL NODES ENGINE(memory|redis|cluster)
  local label=$1 nodes=$2 engine=$3 ws=() pub=() srv=() node_pids=() aux=()
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  for p in "${CLUSTER_PORTS[@]}"; do redis-cli -p "$p" flushall >/dev/null; done
  case "$engine" in
    cluster) for p in "${CLUSTER_PIDS[@]}"; do aux+=(--aux-pid "$p"); done ;;
    *) aux=(--aux-pid "$REDIS_PID") ;;
  esac
  for _ in $(seq 1 "$nodes"); do
    local port args=()
    port=$(free_port)
    [[ "$engine" == redis ]] && args=(--redis "redis://127.0.0.1:$REDIS_PORT")
    [[ "$engine" == cluster ]] && args=(--redis "$CLUSTER_URL")
    # --threads 1: three nodes already share the two cores with Redis and the loadgen.
    "$HERALD" serve --listen "127.0.0.1:$port" --log-level warn --threads 1 \
      --max-connections 100000 --rate-limit 1000 "${args[@]}" >"$WORK/$label-$port.log" 2>&1 &
    node_pids+=($!)
    PIDS+=($!)
    wait_ready "$port"
    ws+=(--ws-url "ws://127.0.0.1:$port/ws")
    pub+=(--publish-url "http://127.0.0.1:$port/api/publish")
    srv+=(--server-pid "${node_pids[-1]}")
  done
  local perf_pid=""
  if [[ "$PERF" == 1 && "$label" == redis3 ]]; then
    perf record -F 499 -g -o "$WORK/perf-$label.data" \
      -p "$(IFS=,; echo "${node_pids[*]}")" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  echo -n "{\"run\":\"$label\",\"result\":"
  "$LOADGEN" --protocol native "${ws[@]}" "${pub[@]}" "${srv[@]}" "${aux[@]}" \
    --conns "$CONNS" --channels "$CHANNELS" --rate "$RATE" --duration "$DURATION" \
    --payload 100 --label "$label"
  echo "}"
  if [[ -n "$perf_pid" ]]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    {
      echo "== by binary"
      perf report -i "$WORK/perf-$label.data" --no-children --sort dso --stdio -g none 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -8
      echo "== engine + Redis client symbols (realtime::, redis::, hiredis), % of all samples"
      perf report -i "$WORK/perf-$label.data" --no-children --sort sym --stdio -g none 2>/dev/null |
        grep -E 'realtime::|redis::|RespReader|hiredis' | awk '{s+=$1} END {print s "%"}'
      echo "== gateway + Beast symbols"
      perf report -i "$WORK/perf-$label.data" --no-children --sort sym --stdio -g none 2>/dev/null |
        grep -E 'gateway::|beast::' | awk '{s+=$1} END {print s "%"}'
      echo "== top symbols"
      perf report -i "$WORK/perf-$label.data" --no-children --sort sym --stdio -g none 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -25 | cut -c1-140
    } >"$WORK/perf-$label.txt" || true
    echo "perf report: $WORK/perf-$label.txt" >&2
  fi
  for p in "${node_pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
}

for _ in $(seq 1 "$ROUNDS"); do
  for r in $RUNS; do
    case "$r" in
      single) run single 1 memory ;;
      redis1) run redis1 1 redis ;;
      redis3) run redis3 3 redis ;;
      cluster1) run cluster1 1 cluster ;;
      cluster3) run cluster3 3 cluster ;;
      *) echo "unknown run $r" >&2; exit 2 ;;
    esac
  done
done
