#!/usr/bin/env bash
# Installs the Debian 12 packages `make bench` needs beyond the build's:
# python3 (the driver), node and npm (the reference server on ocpp-rpc),
# sqlite3 (counting stored meter values), gnuplot-nox (the plots) and iproute2
# (`ss`, to count established connections). Idempotent and quiet when
# everything is already there, like scripts/install-deps.sh.
set -euo pipefail

packages=(python3 sqlite3 gnuplot-nox iproute2)
# A machine may already have a newer Node with its own npm; only install
# Debian's when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-bench-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-bench-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
