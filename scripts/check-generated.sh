#!/usr/bin/env bash
# Regenerates the OCPP code into a scratch tree and fails on any difference from
# the committed files (generated code is regenerated, never edited by hand).
# Usage: check-generated.sh SCHEMA_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/ocpp/codegen/generate.py" --schemas "$1" --out "$work" > /dev/null
status=0
while IFS= read -r f; do
  rel=${f#"$work"/}
  if ! diff -q "$f" "$root/$rel" > /dev/null 2>&1; then
    echo "out of date: $rel (run 'make regen')"
    diff -u "$root/$rel" "$f" | head -20 || true
    status=1
  fi
done < <(find "$work" -type f)
[ $status -eq 0 ] && echo "generated code matches the generator: $(find "$work" -type f | wc -l) files"
exit $status
