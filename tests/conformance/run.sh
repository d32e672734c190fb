#!/usr/bin/env bash
# Schema conformance: our encoder against ocpp-rpc's validator, and the official
# schemas' invalid mutations against our decoder. See validate.js.
# Usage: run.sh CONFORMANCE_CHECK_BINARY NODE_MODULES_DIR
set -euo pipefail
check=$1
modules=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$check" samples "$work/samples.jsonl"
node "$here/validate.js" "$modules" "$work/samples.jsonl" "$work/mutations.jsonl" | tee "$work/node.out"
valid=$(sed -n 's/^VALID_COUNT=//p' "$work/node.out")
"$check" mutations "$work/mutations.jsonl" "$valid"
