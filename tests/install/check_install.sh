#!/usr/bin/env bash
# `cmake --install` into a DESTDIR: the binaries, the production configuration
# (kept on a second install), the systemd unit naming them, the service user.
# Usage: check_install.sh BUILD_DIR BINDIR CONFDIR UNITDIR SYSUSERSDIR LOGROTATEDIR
set -euo pipefail
build=$1 bindir=$2 confdir=$3 unitdir=$4 sysusersdir=$5 logrotatedir=$6
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR=$dest cmake --install "$build" > "$dest/install.log"
for bin in csms csmsctl ocpp-sim; do
  [ -x "$dest$bindir/$bin" ] || fail "$bindir/$bin not installed"
done
"$dest$bindir/csms" --version | grep -q '^csms [0-9]' || fail "csms --version"
"$dest$bindir/csmsctl" --version | grep -q '^csmsctl [0-9]' || fail "csmsctl --version"

conf=$dest$confdir/csms.json
[ -f "$conf" ] || fail "$confdir/csms.json not installed"
grep -q '"/var/lib/csms/csms.db"' "$conf" || fail "the configuration's database is not in /var/lib/csms"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$conf" || fail "csms.json is not JSON"

unit=$dest$unitdir/csms.service
[ -f "$unit" ] || fail "$unitdir/csms.service not installed"
grep -qx "ExecStart=$bindir/csms --config $confdir/csms.json" "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
for line in User=csms StateDirectory=csms ConfigurationDirectory=csms WorkingDirectory=/var/lib/csms \
            NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
            ReadWritePaths=/var/lib/csms Restart=on-failure; do
  grep -qx "$line" "$unit" || fail "the unit lacks $line"
done
grep -q '^u csms ' "$dest$sysusersdir/csms.conf" || fail "sysusers.d entry missing"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || fail "the unit lacks ExecReload (SIGHUP)"
grep -qx 'LogsDirectory=csms' "$unit" || fail "the unit lacks LogsDirectory=csms"
# systemd must wait longer than the drain: TimeoutStopSec above shutdown.timeout_s (30).
stop=$(sed -n 's/^TimeoutStopSec=//p' "$unit")
[ "${stop:-0}" -gt 30 ] || fail "TimeoutStopSec=$stop is not above shutdown.timeout_s (30)"
grep -q 'kill -s HUP' "$dest$logrotatedir/csms" || fail "logrotate.d/csms missing or without the SIGHUP"

# The installed binary reads the installed configuration (paths made relative to DESTDIR).
"$dest$bindir/csms" --config "$conf" --help > /dev/null || fail "csms cannot read the installed configuration"

# A second install keeps the operator's edited configuration.
echo '{"log_level": "debug"}' > "$conf"
DESTDIR=$dest cmake --install "$build" > /dev/null
grep -q debug "$conf" || fail "a reinstall replaced the edited configuration"

# systemd's own checks, where systemd-analyze can look inside the DESTDIR.
if command -v systemd-analyze > /dev/null && systemd-analyze --help 2>&1 | grep -q -- '--root'; then
  # Without a booted systemd in the root it cannot load sysinit.target; what
  # matters is that every line of the unit parses.
  out=$(systemd-analyze verify --root="$dest" "$unit" 2>&1) || true
  if echo "$out" | grep -qiE 'Unknown (key|section|lvalue)|Invalid|Failed to parse|Missing'; then
    fail "systemd-analyze verify: $out"
  fi
fi
echo "install OK: $(ls "$dest$bindir" | tr '\n' ' ')"
