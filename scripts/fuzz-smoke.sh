#!/usr/bin/env bash
# A bounded libFuzzer run from the committed seeds; fails on any crash, leak,
# sanitizer report or hang (5 s per input).
# Usage: fuzz-smoke.sh FUZZ_BINARY --runs N     fixed seed, N inputs: deterministic,
#                                               so the test suite cannot turn red by luck
#        fuzz-smoke.sh FUZZ_BINARY --seconds S  random seed for S seconds: exploration
#                                               (`make fuzz`); add what it finds to
#                                               tests/fuzz/corpus as a regression seed
set -euo pipefail
bin=$1
case "${2:-}" in
  --runs) limit=(-seed=1 -runs="$3"); what="$3 inputs" ;;
  --seconds) limit=(-max_total_time="$3"); what="${3}s" ;;
  *) echo "usage: $0 FUZZ_BINARY --runs N | --seconds S" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(mktemp -d)
artifacts=$(mktemp -d)
# The artifacts directory stays only when it holds a finding.
trap 'rm -rf "$corpus" "$corpus.log"; rmdir "$artifacts" 2>/dev/null || true' EXIT
cp "$root"/tests/fuzz/corpus/* "$corpus"/
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/fuzz/ubsan.supp"
if ! "$bin" "${limit[@]}" -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$corpus.log" 2>&1; then
  tail -n 60 "$corpus.log"
  echo "fuzz: FAILED; the input is in $artifacts (reproduce: $bin <file>)"
  exit 1
fi
tail -n 12 "$corpus.log"
echo "fuzz: $what without a crash, leak or hang"
