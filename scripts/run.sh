#!/usr/bin/env bash
# run.sh: Herald's main job (`make run`): installs what is missing, builds the
# release preset and starts the server on the embedded memory engine. Extra
# arguments go to the server, e.g. `scripts/run.sh --listen 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target herald -j "$(nproc)"
echo "Herald: http://127.0.0.1:8080 (Ctrl-C stops it)"
exec build/release/src/app/herald serve "$@"
