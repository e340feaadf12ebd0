#!/usr/bin/env bash
# run.sh: the end-to-end suites (node's test runner): installs the pinned npm
# packages (idempotent), then runs every *.test.js against real herald processes.
# Expects the herald binary built (scripts/test.sh builds build/dev first).
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -d node_modules/ws ]] || [[ package.json -nt node_modules/.installed ]]; then
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi
node --test --test-concurrency=1 .
