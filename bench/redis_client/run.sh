#!/usr/bin/env bash
# run.sh: Herald's Redis client against redis-benchmark, same server, same run.
# Starts a private redis-server on a free port (no persistence), runs
#   redis-benchmark -P $PIPELINE -t get,set -n $REQUESTS -q      (50 clients)
#   redis_client_bench --pipeline $PIPELINE --clients 50          (1 connection, pool)
# and prints each figure and herald/redis-benchmark ratios. Needs the release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
REQUESTS="${REQUESTS:-2000000}"
PIPELINE="${PIPELINE:-32}"
ROUNDS="${ROUNDS:-3}"
bench=build/release/bench/redis_client/redis_client_bench
if [[ ! -x $bench ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target redis_client_bench
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize no >"$dir/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "redis $(redis-server --version | awk '{print $3}'), $(nproc) cores, requests=$REQUESTS pipeline=$PIPELINE"
for round in $(seq "$ROUNDS"); do
  rb=$(redis-benchmark -p "$port" -P "$PIPELINE" -t set,get -n "$REQUESTS" --csv 2>/dev/null)
  rb_set=$(awk -F'"' '$2 == "SET" {print int($4)}' <<<"$rb")
  rb_get=$(awk -F'"' '$2 == "GET" {print int($4)}' <<<"$rb")
  out=$("$bench" --url "redis://127.0.0.1:$port" --requests "$REQUESTS" --pipeline "$PIPELINE" --clients 50)
  val() { grep "\"test\":\"$1\",\"target\":\"$2\"" <<<"$out" | sed -E 's/.*"ops_per_s":([0-9]+).*/\1/'; }
  h_set=$(val set connection); h_get=$(val get connection)
  p_set=$(val set pool4); p_get=$(val get pool4)
  awk -v r="$round" -v rs="$rb_set" -v rg="$rb_get" -v hs="$h_set" -v hg="$h_get" \
      -v ps="$p_set" -v pg="$p_get" 'BEGIN {
    printf "round %s: redis-benchmark SET %d GET %d | herald 1 conn SET %d (%.2fx) GET %d (%.2fx) | pool4 SET %d (%.2fx) GET %d (%.2fx)\n",
      r, rs, rg, hs, hs / rs, hg, hg / rg, ps, ps / rs, pg, pg / rg }' 
done
