#!/usr/bin/env bash
# A bounded libFuzzer run: starts from the committed seeds, stops after N seconds,
# fails on any crash, leak, sanitizer report or hang (5 s per input).
# Usage: fuzz-smoke.sh FUZZ_BINARY SECONDS
set -euo pipefail
bin=$1
seconds=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(mktemp -d)
artifacts=$(mktemp -d)
trap 'rm -rf "$corpus" "$artifacts"' EXIT
cp "$root"/tests/fuzz/corpus/* "$corpus"/
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/fuzz/ubsan.supp"
"$bin" -max_total_time="$seconds" -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" 2>&1 | tail -n 25
echo "fuzz: ${seconds}s without a crash, leak or hang"
