#!/usr/bin/env bash
# The committed console bundle (console/dist) is what console/build.mjs makes of
# console/src with the locked packages: nobody edits dist/ by hand or forgets
# `make console`.
# usage: check-dist.sh SOURCE_DIR NODE_MODULES
set -euo pipefail
src=$1
modules=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CONSOLE_NODE_MODULES="$modules" node "$src/console/build.mjs" "$work/dist" > /dev/null
if ! diff -r "$src/console/dist" "$work/dist" > "$work/diff"; then
  head -c 2000 "$work/diff"
  echo "console/dist is not what console/src builds to: run make console and commit console/dist" >&2
  exit 1
fi
echo "console/dist matches console/src"
