#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the fuzzer need
# (haproxy: the cluster fault test runs it unprivileged, in the foreground),
# plus any named as arguments (`make bench-deps` adds gnuplot-nox and iproute2,
# `make test` adds chromium for the console's browser test).
# Idempotent and quiet when everything is already there, so `make run` and
# `make test` can call it every time.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config python3
  libboost-dev libboost-system-dev rapidjson-dev
  libfmt-dev catch2 libssl-dev libsqlite3-dev sqlite3
  clang clang-format libclang-rt-14-dev
  libmodbus-dev tzdata curl
  libpq-dev postgresql haproxy
)
packages+=("$@")
# Node.js runs the schema conformance test (ocpp-rpc's validator). A machine may
# already have a newer Node with its own npm; only install Debian's when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
