#!/usr/bin/env bash
# check-install.sh: Herald as a library, the way a C++ team consumes it (issue 16).
#   1. builds the `lib` preset (the libraries alone: no binary, tests or examples,
#      so it needs only Boost, hiredis, OpenSSL and spdlog/fmt) and installs it into
#      build/lib-prefix
#   2. builds examples/cache-service, a standalone CMake project, against that prefix
#      with find_package(Herald CONFIG), and a one-file program with pkg-config
#   3. runs cache-service against a real redis-server on a free loopback port: a
#      read is loaded once then served from the cache, a write invalidates its tag,
#      the next read is fresh, an unknown product is a 404
# Prints "install check: ok" and exits 0, or says what failed and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
prefix="$PWD/build/lib-prefix"
work=$(mktemp -d /tmp/herald-install-check.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "install check: FAILED: $*" >&2; exit 1; }

cmake --preset lib >/dev/null
cmake --build --preset lib -j "${JOBS:-$(nproc)}"
rm -rf "$prefix"
cmake --install build/lib >/dev/null
[[ -f "$prefix/lib/cmake/Herald/HeraldConfig.cmake" ]] || fail "no HeraldConfig.cmake installed"
[[ -f "$prefix/include/herald/cache/cache.hpp" ]] || fail "no public headers installed"
[[ ! -e "$prefix/include/herald/app" ]] || fail "the binary's headers were installed"

cmake -S examples/cache-service -B build/cache-service -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build/cache-service

# pkg-config: a program that parses a Redis URL, compiled and linked from herald.pc.
cat >"$work/pc.cpp" <<'CPP'
#include <herald/redis/url.hpp>
int main() { return herald::redis::RedisUrl::parse("redis://127.0.0.1:6379/0") ? 0 : 1; }
CPP
# shellcheck disable=SC2046
c++ -std=c++20 "$work/pc.cpp" -o "$work/pc" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs herald) ||
  fail "a program built with pkg-config herald"
"$work/pc" || fail "the pkg-config program"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rp=$(free_port)
redis-server --port "$rp" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
sp=$(free_port)
build/cache-service/cache-service "$sp" "redis://127.0.0.1:$rp" >"$work/service.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$sp"
for _ in $(seq 100); do curl -s -o /dev/null "$base/stats" && break; sleep 0.1; done

xcache() { curl -s -D - -o "$work/body" "$base$1" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}'; }
[[ "$(xcache /products/1)" == loader ]] || fail "first read not loaded: $(cat "$work/body")"
[[ "$(xcache /products/1)" == l1 ]] || fail "second read not from L1"
grep -q '"price":2.5E1' "$work/body" || grep -q '"price":25' "$work/body" || fail "body: $(cat "$work/body")"
[[ "$(curl -s "$base/stats")" == '{"loads":1}' ]] || fail "loads after two reads: $(curl -s "$base/stats")"
curl -s -X POST "$base/products/1/price/30" | grep -q '"invalidated":true' || fail "write did not invalidate"
[[ "$(xcache /products/1)" == loader ]] || fail "read after the write not reloaded"
grep -q '"price":3' "$work/body" || fail "stale price after the write: $(cat "$work/body")"
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/products/9")" == 404 ]] || fail "unknown product"
echo "install check: ok"
