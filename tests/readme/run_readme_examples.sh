#!/usr/bin/env bash
# Runs every ```sh block of README.md marked <!-- readme-test --> as written, in
# order, against a fresh csms on ephemeral ports: a temporary directory plays
# the clone (build/bin and simulator/ linked in, data/ for the database), and
# 127.0.0.1:8181 / :8180 in the examples become the server's real ports.
# Usage: run_readme_examples.sh SOURCE_DIR BIN_DIR
set -euo pipefail
src=$1 bin=$2
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/build" "$work/data"
ln -s "$bin" "$work/build/bin"
ln -s "$src/simulator" "$work/simulator"
cd "$work"

build/bin/csms --db data/csms.db --ocpp-host 127.0.0.1 --ocpp-port 0 --admin-port 0 \
  --uploads-listen 127.0.0.1:0 > server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  grep -q "admin API" server.log 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat server.log; echo "FAIL: csms did not start" >&2; exit 1; }
  sleep 0.1
done
ocpp=$(grep -o 'ws://127.0.0.1:[0-9]*' server.log | head -1 | sed 's|ws://||')
admin=$(grep -o 'admin API *http://127.0.0.1:[0-9]*' server.log | head -1 | sed 's|.*http://||')
[ -n "$ocpp" ] && [ -n "$admin" ] || { cat server.log; echo "FAIL: no ports in the banner" >&2; exit 1; }

# The marked blocks, each into its own file.
python3 - "$src/README.md" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
# Every shell block is either run (marked) or says why not, so a new runnable
# example cannot slip past the test unmarked.
for j, line in enumerate(lines):
    if line.startswith("```sh"):
        before = lines[j - 1].strip() if j > 0 else ""
        assert before == "<!-- readme-test -->" or before.startswith("<!-- not run by the readme test:"), \
            f"README.md:{j+1}: a ```sh block needs <!-- readme-test --> or <!-- not run by the readme test: WHY -->"
n, i = 0, 0
while i < len(lines):
    if lines[i].strip() == "<!-- readme-test -->":
        j = i + 1
        assert lines[j].startswith("```sh"), f"README.md:{j+1}: a marked block must start with ```sh"
        k = j + 1
        while not lines[k].startswith("```"):
            k += 1
        n += 1
        with open(f"block-{n:02d}.sh", "w") as f:
            f.write(f"# README.md:{j+2}\n" + "\n".join(lines[j + 1:k]) + "\n")
        i = k
    i += 1
print(n)
PY
blocks=(block-*.sh)
[ ${#blocks[@]} -ge 5 ] || { echo "FAIL: expected the marked README blocks, found ${#blocks[@]}" >&2; exit 1; }

export PATH="$work/build/bin:$PATH"
: > env.sh
for b in "${blocks[@]}"; do
  sed -i -e "s|127.0.0.1:8181|$admin|g" -e "s|127.0.0.1:8180|$ocpp|g" "$b"
  echo "== $(head -1 "$b")"
  # Each block runs where the reader's shell would be: with what earlier ones exported.
  if ! bash -euo pipefail -c "source ./env.sh; source ./$b" > "$b.out" 2>&1; then
    cat "$b" "$b.out"
    echo "--- server log (tail)"; tail -20 server.log
    echo "FAIL: $(head -1 "$b" | sed 's/# //') failed as written" >&2
    exit 1
  fi
  grep -h '^export ' "$b" >> env.sh || true
done
echo "README examples OK (${#blocks[@]} blocks)"
