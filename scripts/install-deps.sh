#!/usr/bin/env bash
# install-deps.sh: installs, idempotently, everything Herald's build, tests and demo
# need on Debian 12, from Debian's own packages (and npm packages for the browser and
# Node tests, when those exist). Safe to run again: it only calls apt-get when a
# package is missing, and only updates the package lists then.
#
# Usage: scripts/install-deps.sh [--e2e]   (--e2e adds Node.js, npm and Chromium)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang clang-format clang-tidy
  libclang-rt-14-dev
  # libraries (docs/dependencies.md says why each)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libhiredis-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libxxhash-dev libsqlite3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev redis-server redis-tools
  openssl  # the TLS tests make their CA and certificates with the command line
  curl python3  # scripts/check-install.sh talks to the example service; free ports
  dpkg-dev  # CPack's Debian packages (dpkg-shlibdeps) and their check
)
if [[ "${1:-}" == "--e2e" ]]; then
  packages+=(chromium)
  # Node.js may come from another repository that bundles npm (NodeSource); Debian's
  # npm package conflicts with that, so install them only when the commands lack.
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The packaged redis-server starts a system service on port 6379; tests and the
# demo start their own private servers, so the service is not needed. Leave it as
# the administrator set it, but never fail because of it.
exit 0
