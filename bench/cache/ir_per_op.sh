#!/usr/bin/env bash
# ir_per_op.sh: client-side instructions and heap allocations per L2 operation, from
# callgrind. Unlike ops/s, these barely depend on what else the machine is doing, so
# they compare builds (and the cache against a bare GET/MGET) even on a loaded,
# shared machine. Starts a private redis-server like run.sh, runs cache_bench under
# `valgrind --tool=callgrind` with A and B ops of one kind on 1 thread, and prints
# (count(B) - count(A)) / (B - A), so set-up (connect, bus, first write) cancels out:
# Ir (instructions) and calls to malloc (every operator new, aligned coroutine frame
# and Asio handler allocation ends there).
# Knobs: KINDS (l2_hit,raw_get,raw_mget), MODE (throughput | latency), A (10000),
# B (30000); BUILD_DIR (default build/release; cache_bench must be built, release);
# URL: a Redis to use instead of the private one (e.g. a redis+cluster:// URL, as
# bench/cluster/cache.sh's cluster: the cluster client's own cost per request).
set -euo pipefail
cd "$(dirname "$0")/../.."
bench="${BUILD_DIR:-build/release}/bench/cache/cache_bench"
[[ -x $bench ]] || { echo "build $bench first (release preset, target cache_bench)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 2; }
mode="${MODE:-throughput}"
a="${A:-10000}" b="${B:-30000}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize no >"$dir/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
url="${URL:-redis://127.0.0.1:$port}"

totals() {  # kind ops -> "<Ir> <malloc calls>" of one run
  local ops_flag=--l2-ops
  [[ $mode == latency ]] && ops_flag=--l2-latency-ops
  valgrind --tool=callgrind --compress-strings=no --callgrind-out-file="$dir/cg.out" "$bench" \
    --url "$url" --tests l2 --threads 1 --l2-kinds "$1" --l2-modes "$mode" \
    --l2-ops 1 --l2-latency-ops 1 "$ops_flag" "$2" >/dev/null 2>"$dir/vg.log"
  local ir
  ir=$(callgrind_annotate "$dir/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo "$ir $(awk '/^cfn=/ {f = substr($0, 5)} /^calls=/ && f == "malloc" {sub(/^calls=/, ""); m += $1} END {print m + 0}' "$dir/cg.out")"
}

echo "cache_bench $bench, mode $mode, ops $a and $b, $url, $(date -u +%FT%TZ)"
kinds="${KINDS:-l2_hit,raw_get,raw_mget}"
for k in ${kinds//,/ }; do
  read -r ia ma <<<"$(totals "$k" "$a")"
  read -r ib mb <<<"$(totals "$k" "$b")"
  python3 -c "print(f'$k {($ib - $ia) / ($b - $a):,.0f} Ir/op, {($mb - $ma) / ($b - $a):.2f} mallocs/op')"
done
