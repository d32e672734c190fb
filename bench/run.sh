#!/usr/bin/env bash
# `make bench` / `make bench-quick`: the same fleet load against csms and the
# reference server (bench/reference). Builds nothing: run `make build` first
# (the Makefile targets do), or point BUILD_DIR at another build tree.
#
#   bench/run.sh [--quick] [--only meter,idle,storm,heartbeat] [--servers csms,reference]
#
# Results: bench/results/ (quick: bench/results/quick/). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every server and fleet process inherits this: 20k connections need 20k
# descriptors on each side. Raising the hard limit needs CAP_SYS_RESOURCE;
# without it take the hard limit (run.py reports what it got).
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The reference server's dependencies, exactly as locked (ocpp-rpc 2.2.1).
lock=bench/reference/package-lock.json
stamp=bench/reference/node_modules/.bench-lock
if ! cmp -s "$lock" "$stamp" 2>/dev/null; then
  timeout 300 npm ci --prefix bench/reference --no-audit --no-fund --loglevel=error
  cp "$lock" "$stamp"
fi

exec timeout --signal=TERM --kill-after=30 3600 python3 bench/run.py "$@"
