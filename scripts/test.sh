#!/usr/bin/env bash
# test.sh: the whole test suite, as CI runs it (`make test`).
#   1. installs what is missing (scripts/install-deps.sh)
#   2. builds the dev preset (Debug + ASan/UBSan) and runs every unit and
#      integration test under it (integration tests start their own redis-server)
#   3. builds the release preset (the optimised binary users run) and runs the same
#      suites on it: races and speed assumptions show there that ASan hides
#   4. checks formatting (clang-format) of our C++ sources
#   5. builds the libFuzzer targets (clang) and runs each briefly on its corpus
#   6. installs the libraries alone into a prefix and builds and runs the example
#      that consumes them (scripts/check-install.sh: find_package(Herald), pkg-config);
#      builds the Debian packages and runs the packaged binary (check-package.sh)
#   7. runs the end-to-end suite (Node + Chromium) against the release binary
# ThreadSanitizer (`make tsan`) is not part of this run: its build would take CI past
# its time budget (README.md, "Developing").
# Slow suites (soak, big loads) are benchmarks under bench/, not run here.
# Knobs: FUZZ_SECONDS (default 15 per target), JOBS (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

# ccache: hash paths relative to the checkout, so a fresh clone elsewhere (CI) still
# hits the cache filled by earlier builds of the same sources.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
JOBS="${JOBS:-$(nproc)}"
log_dir=build/test-logs
e2e_flag=""
[[ -d tests/e2e ]] && e2e_flag="--e2e"

scripts/install-deps.sh $e2e_flag
mkdir -p "$log_dir"

step() { printf '\n==== %s\n' "$*"; }

step "build (dev: Debug + ASan/UBSan)"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$JOBS"

step "unit + integration tests (ASan/UBSan)"
ctest_rc=0
ctest --preset dev -j "$JOBS" -L 'unit|integration' 2>&1 | tee "$log_dir/ctest-dev.log" || ctest_rc=$?

step "build (release: RelWithDebInfo, what users run)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"

step "unit + integration tests (release)"
ctest --preset release -j "$JOBS" -L 'unit|integration' 2>&1 | tee "$log_dir/ctest-release.log" ||
  ctest_rc=$?

step "clang-format"
format_failed=0
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || true)
if ((${#sources[@]} > 0)); then
  if ! clang-format --dry-run --Werror "${sources[@]}" 2>"$log_dir/format.log"; then
    format_failed=1
    head -40 "$log_dir/format.log"
  fi
fi

step "fuzz targets (${FUZZ_SECONDS}s each)"
fuzz_passed=0
fuzz_failed=0
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$JOBS"
for bin in build/fuzz/fuzz/*_fuzz; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin" _fuzz)
  work="build/fuzz/corpus-run/$name"
  mkdir -p "$work"
  seeds=()
  [[ -d "fuzz/corpus/$name" ]] && seeds=("fuzz/corpus/$name")
  if "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=0 \
      "$work" "${seeds[@]}" >"$log_dir/fuzz-$name.log" 2>&1; then
    echo "fuzz $name: ok"
    fuzz_passed=$((fuzz_passed + 1))
  else
    echo "fuzz $name: FAILED (see $log_dir/fuzz-$name.log)"
    tail -30 "$log_dir/fuzz-$name.log"
    fuzz_failed=$((fuzz_failed + 1))
  fi
done

step "install + consume the libraries, Debian packages (scripts/check-install.sh, check-package.sh)"
install_failed=0
scripts/check-install.sh 2>&1 | tee "$log_dir/install.log" || install_failed=1
scripts/check-package.sh 2>&1 | tee -a "$log_dir/install.log" || install_failed=1

e2e_passed=0
e2e_failed=0
if [[ -x tests/e2e/run.sh ]]; then
  step "e2e (node + chromium, release binary)"
  if HERALD_BIN="$PWD/build/release/src/app/herald" tests/e2e/run.sh 2>&1 |
    tee "$log_dir/e2e.log"; then e2e_passed=1; else e2e_failed=1; fi
fi

# One closing line for CI: both ctest runs' counts plus one per fuzz target / e2e run /
# format check / install check.
total=0
failed=0
for preset in dev release; do
  summary=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$log_dir/ctest-$preset.log" | tail -1 || true)
  t=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  f=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$summary")
  [[ "$t" =~ ^[0-9]+$ ]] || t=0
  [[ "$f" =~ ^[0-9]+$ ]] || f=1
  total=$((total + t))
  failed=$((failed + f))
done
passed=$((total - failed + fuzz_passed + e2e_passed + (1 - format_failed) + (1 - install_failed)))
failed=$((failed + fuzz_failed + e2e_failed + format_failed + install_failed))
((ctest_rc != 0 && failed == 0)) && failed=1
echo
echo "${passed} passed, ${failed} failed"
((failed == 0))
