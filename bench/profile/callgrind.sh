#!/usr/bin/env bash
# Callgrind instruction counts of csms per meter message (bench/results/profile.md).
# Usage: bench/profile/callgrind.sh V201_SHARE [RATE] [SECONDS] [STATIONS]
# Starts csms under callgrind (one output file per thread), connects a fleet,
# zeroes the counters once the fleet is charging, sends RATE meter messages/s
# for SECONDS, dumps, and prints instructions per answered meter message per thread.
set -euo pipefail
share=${1:-0}; rate=${2:-200}; secs=${3:-10}; stations=${4:-20}
BUILD_DIR=${BUILD_DIR:-build}
tmp=$(mktemp -d /tmp/csms-prof.XXXXXX)
cat > "$tmp/csms.json" <<JSON
{"ocpp": {"host": "127.0.0.1", "port": 0, "heartbeat_interval_s": 300},
 "registration": {"accept_unknown": true, "unknown_boot_status": "Accepted"},
 "admin": {"host": "127.0.0.1", "port": 0, "token": "profile-admin-token-not-secret"},
 "uploads": {"listen": "127.0.0.1:0", "dir": "$tmp/uploads"},
 "database": {"path": "$tmp/csms.db"}}
JSON
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/cg.out.%p" \
  "$BUILD_DIR/bin/csms" --config "$tmp/csms.json" > "$tmp/csms.log" 2>&1 &
vg=$!
port=""
for _ in $(seq 1 600); do
  port=$(grep -oE 'ws://[0-9.]+:[0-9]+/' "$tmp/csms.log" | head -1 | sed -E 's/.*:([0-9]+)\//\1/') || true
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "csms did not start"; cat "$tmp/csms.log"; kill $vg; exit 1; }
"$BUILD_DIR/bin/ocpp-sim" fleet --url "ws://127.0.0.1:$port/ocpp" --json --stations "$stations" \
  --v201-share "$share" --charging-share 1 --meter-rate "$rate" --heartbeat 300 --ramp 0 \
  --warmup 4 --duration $((secs + 4)) --call-timeout-ms 30000 > "$tmp/fleet.json" 2> "$tmp/fleet.err" &
fleet=$!
sleep 4
callgrind_control -z $vg > /dev/null
wait $fleet
callgrind_control -d $vg > /dev/null
kill -INT $vg; wait $vg || true
python3 - "$tmp" <<'PY'
import glob, json, sys, re
tmp = sys.argv[1]
rep = json.load(open(f"{tmp}/fleet.json"))
acts = rep.get("actions") or rep.get("per_action") or {}
n = 0
for name, a in (acts.items() if isinstance(acts, dict) else []):
    if name in ("MeterValues", "TransactionEvent"):
        n += int(a.get("answered", 0))
print("meter messages answered in the measured window (approx.):", n)
for f in sorted(glob.glob(f"{tmp}/cg.out.*")):
    txt = open(f, errors="replace").read()
    m = re.search(r"^summary:\s*(\d+)", txt, re.M) or re.search(r"^totals:\s*(\d+)", txt, re.M)
    th = re.search(r"^thread:\s*(\d+)", txt, re.M)
    if m:
        print(f, "thread", th.group(1) if th else "?", "Ir", m.group(1))
PY
echo "profile files in $tmp"
