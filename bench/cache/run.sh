#!/usr/bin/env bash
# run.sh: herald::cache figures (see cache_bench.cpp for what each one measures).
# Starts a private redis-server on a free port (no persistence), builds cache_bench
# in the release preset if needed, runs it, and prints its JSON lines followed by a
# short summary table. Knobs: L1_OPS, L2_OPS, L2_LATENCY_OPS, CONCURRENCY, TAG_OPS,
# TESTS (l1,l2,tags,memory), THREADS (1,2), SLICES (1: all L2 hits, then all raw GETs;
# N: both in N alternating slices, which a shared machine's drift hits alike), L2_KINDS
# (l2_hit,raw_get; add raw_mget for the bare MGET an L2 hit sends); BUILD_DIR (default
# build/release, the release preset's) and CMAKE_ARGS for the configure step;
# REBUILD=0 skips the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${BUILD_DIR:-build/release}"
bench="$build/bench/cache/cache_bench"
if [[ ${REBUILD:-1} == 1 || ! -x $bench ]]; then
  # shellcheck disable=SC2086  # CMAKE_ARGS is a list of arguments
  cmake --preset release -B "$build" ${CMAKE_ARGS:-} >/dev/null
  cmake --build "$build" --target cache_bench -j2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize no >"$dir/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "redis $(redis-server --version | awk '{print $3}'), $(nproc) cores, $(date -u +%FT%TZ)"
out=$("$bench" --url "redis://127.0.0.1:$port" \
  --l1-ops "${L1_OPS:-2000000}" --l2-ops "${L2_OPS:-300000}" \
  --l2-latency-ops "${L2_LATENCY_OPS:-20000}" --concurrency "${CONCURRENCY:-64}" \
  --tag-ops "${TAG_OPS:-5000}" --tests "${TESTS:-l1,l2,tags,memory}" --threads "${THREADS:-1,2}" \
  --slices "${SLICES:-1}" --l2-kinds "${L2_KINDS:-l2_hit,raw_get}")
echo "$out"
echo
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines() if l.startswith("{")]
print(f"{'test':<16}{'mode':<12}{'thr':>4}{'ops/s':>12}{'p50 ns':>10}{'p99 ns':>10}{'err':>6}")
for r in rows:
    if r["test"] == "l1_memory":
        continue
    print(f"{r['test']:<16}{r['mode']:<12}{r['threads']:>4}{r['ops_per_s']:>12,}"
          f"{r.get('p50_ns', '-'):>10}{r.get('p99_ns', '-'):>10}{r['errors']:>6}")
for r in rows:
    if r["test"] == "l1_memory":
        print(f"L1 memory: {r['heap_bytes_per_entry']:.0f} heap bytes/entry "
              f"({r['l1_accounted_bytes_per_entry']:.0f} accounted by L1Store) for "
              f"{r['entries']} entries, {r['value_bytes']}-byte values, ~{r['key_bytes']}-byte keys")
PY
