#!/usr/bin/env bash
# run.sh: Herald's main job (`make run`): installs what is missing, builds the
# release preset and starts `herald demo`: the gateway on the embedded memory engine
# with the example inventory app and its live dashboard on http://127.0.0.1:8080/.
# The SQLite database is created (and seeded) in build/ on first run. Extra arguments
# go to `herald demo`, e.g. `scripts/run.sh --listen 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target herald -j "$(nproc)"
echo "Herald demo: open http://127.0.0.1:8080/ in two browser windows (Ctrl-C stops it)"
exec build/release/src/app/herald demo --db build/herald-demo.db "$@"
