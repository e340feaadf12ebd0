#!/usr/bin/env bash
# bench/cluster/cache.sh: the cache's L2 hit throughput on one redis-server next to a
# Redis Cluster of three primaries (issue 13), in one run: cache_bench's l2 test
# (get_or_set answered from Redis, and a plain GET for comparison) against each, in
# alternating rounds. The whole cache lives on the primary that owns the
# `{herald:cache}` slot (docs/operations.md, "Redis Cluster"), so this measures what
# the cluster client adds per request, not a spread over primaries.
#
# Usage: bench/cluster/cache.sh   Knobs: ROUNDS=2 L2_OPS=200000 CONCURRENCY=64
#        THREADS=1,2 WORK=/tmp/herald-cluster-cache-bench BUILD_DIR=build/release
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-2}
WORK=${WORK:-/tmp/herald-cluster-cache-bench}
build="${BUILD_DIR:-build/release}"
bench="$build/bench/cache/cache_bench"
mkdir -p "$WORK"
if [[ ! -x $bench ]]; then
  cmake --preset release -B "$build" >/dev/null
  cmake --build "$build" --target cache_bench -j2
fi

# shellcheck source=bench/cluster/processes.sh
source "$ROOT/bench/cluster/processes.sh"  # PIDS killed on exit
start_redis_server "$WORK"
start_redis_cluster "$WORK"

echo "redis $(redis-server --version | awk '{print $3}'), $(nproc) cores, $(date -u +%FT%TZ)"
out=""
for round in $(seq 1 "$ROUNDS"); do
  for topology in single cluster; do
    url="redis://127.0.0.1:$REDIS_PORT"
    [[ $topology == cluster ]] && url=$CLUSTER_URL
    lines=$("$bench" --url "$url" --tests l2 --threads "${THREADS:-1,2}" \
      --l2-ops "${L2_OPS:-200000}" --l2-latency-ops 20000 --concurrency "${CONCURRENCY:-64}" \
      --l2-kinds l2_hit,raw_get)
    while IFS= read -r l; do
      [[ $l == "{"* ]] && out+="{\"topology\":\"$topology\",\"round\":$round,${l#\{}"$'\n'
    done <<<"$lines"
  done
done
printf '%s' "$out"
echo
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines() if l.startswith("{")]
print(f"{'topology':<10}{'round':>6}{'test':>10}{'mode':>12}{'thr':>4}{'ops/s':>12}{'p50 ns':>10}{'p99 ns':>10}{'err':>6}")
for r in rows:
    print(f"{r['topology']:<10}{r['round']:>6}{r['test']:>10}{r['mode']:>12}{r['threads']:>4}"
          f"{r['ops_per_s']:>12,}{r.get('p50_ns', '-'):>10}{r.get('p99_ns', '-'):>10}{r['errors']:>6}")
PY
