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
# One file at a time (they start servers and a browser) where node supports saying
# so (20.10+); Debian 12's own node 18 runs files in parallel, which also works
# (every file starts its own herald on a free port).
if node --help | grep -q -- '--test-concurrency'; then
  node --test --test-concurrency=1 .
else
  node --test .
fi
