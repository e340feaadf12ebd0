#!/usr/bin/env bash
# check-package.sh: the Debian packages (issue 16), built and checked as a user
# would meet them.
#   1. builds the `package` preset (the binary without the demo, the libraries) and
#      runs CPack: herald_<v>_amd64.deb and libherald-dev_<v>_amd64.deb in build/package
#   2. checks their contents: the binary, systemd unit and conffile-marked default
#      config; the headers, static libraries, HeraldConfig.cmake and herald.pc
#   3. unpacks `herald` and runs the packaged binary: `--version`, then `serve
#      --config <the packaged herald.toml>` until /healthz answers, then SIGTERM
#      (it must exit 0)
# Prints "package check: ok" and exits 0, or says what failed and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
work=$(mktemp -d /tmp/herald-package-check.XXXXXX)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "package check: FAILED: $*" >&2; exit 1; }

cmake --preset package >/dev/null
cmake --build --preset package -j "${JOBS:-$(nproc)}"
version=$(sed -nE 's/^project\(herald VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
rm -f build/package/*.deb
(cd build/package && cpack >/dev/null)
server="build/package/herald_${version}_amd64.deb"
dev="build/package/libherald-dev_${version}_amd64.deb"
[[ -f "$server" && -f "$dev" ]] || fail "no packages: $(ls build/package/*.deb 2>/dev/null)"

# $2: a path regex (the libraries go to Debian's multiarch usr/lib/<triplet>/).
has() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qxE "\./$2" || fail "$1 lacks $2"; }
lib='usr/lib/([a-z0-9_]+-linux-gnu/)?'
has "$server" usr/bin/herald
has "$server" usr/lib/systemd/system/herald.service
has "$server" etc/herald/herald.toml
dpkg-deb -I "$server" conffiles | grep -qx /etc/herald/herald.toml || fail "herald.toml is not a conffile"
dpkg-deb -f "$server" Depends | grep -q libhiredis || fail "herald's Depends: $(dpkg-deb -f "$server" Depends)"
has "$dev" usr/include/herald/cache/cache.hpp
has "$dev" usr/include/herald/redis/pool.hpp
has "$dev" "$lib"libherald_cache.a
has "$dev" "$lib"cmake/Herald/HeraldConfig.cmake
has "$dev" "$lib"cmake/Herald/HeraldTargets.cmake
has "$dev" "$lib"pkgconfig/herald.pc
if dpkg-deb -c "$dev" | grep -q 'include/herald/app/'; then fail "the dev package ships the binary's headers"; fi

dpkg-deb -x "$server" "$work/root"
bin="$work/root/usr/bin/herald"
[[ "$("$bin" --version)" == "herald $version" ]] || fail "--version said: $("$bin" --version)"
if "$bin" demo --help >/dev/null 2>&1; then fail "the packaged binary has the demo"; fi
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$bin" serve --config "$work/root/etc/herald/herald.toml" --listen "127.0.0.1:$port" >"$work/log" 2>&1 &
pid=$!
up=0
for _ in $(seq 100); do
  if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then up=1; break; fi
  sleep 0.1
done
((up)) || fail "the packaged herald did not answer /healthz: $(tail -5 "$work/log")"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
((rc == 0)) || fail "the packaged herald exited $rc on SIGTERM: $(tail -5 "$work/log")"
echo "package check: ok"
