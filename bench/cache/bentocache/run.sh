#!/usr/bin/env bash
# run.sh: BentoCache's tiered get on this machine (see tiered_get.js), next to
# herald's `bench/cache/run.sh` figures. Installs the pinned npm packages (idempotent),
# starts a private redis-server on a free port, runs the measurement, stops Redis.
set -euo pipefail
cd "$(dirname "$0")"
[[ -d node_modules/bentocache ]] || npm install --no-audit --no-fund --loglevel=error
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize no >"$dir/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
node tiered_get.js "$port" "${OPS:-1000000}"
