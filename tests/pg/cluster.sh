#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (ctest fixture "postgres").
#   cluster.sh start STATE_DIR   initdb + pg_ctl start on a Unix socket only;
#                                writes the server's URL to STATE_DIR/url
#   cluster.sh stop STATE_DIR    stops it and removes its files
# Fails loudly when PostgreSQL cannot be started: a backend test that CI does
# not run rots, so it must not be skipped quietly.
set -euo pipefail

cmd=${1:?usage: cluster.sh start|stop STATE_DIR}
state=${2:?usage: cluster.sh start|stop STATE_DIR}

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir=$d
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
  bindir=$(dirname "$(command -v initdb)")
fi

# As root, the server runs as the postgres user (initdb refuses root).
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
start)
  if [ -z "$bindir" ]; then
    echo "postgres cluster: initdb not found (install the postgresql package:" \
         "scripts/install-deps.sh)" >&2
    exit 1
  fi
  mkdir -p "$state"
  if [ -f "$state/dir" ]; then "$0" stop "$state" || true; fi
  # Short: a Unix socket path must stay under 107 bytes.
  dir=$(mktemp -d /tmp/csms-pg-XXXXXX)
  echo "$dir" > "$state/dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  # C locale: text sorts bytewise, as on SQLite. fsync off: a test cluster
  # that dies is thrown away anyway. CSMS_PG_DURABLE=1 (the benchmark) keeps
  # PostgreSQL's durable defaults: a commit is on disk when it returns.
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${CSMS_PG_DURABLE:-0}" = 1 ]; then durability="-c fsync=on -c synchronous_commit=on"; fi
  if ! as_server "$bindir/initdb" -D "$dir/data" -U csms -A trust -E UTF8 --no-locale \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    echo "postgres cluster: initdb failed" >&2
    exit 1
  fi
  if ! as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir $durability -c max_connections=200" start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    echo "postgres cluster: pg_ctl start failed" >&2
    exit 1
  fi
  echo "postgresql:///postgres?host=$dir&user=csms" > "$state/url"
  echo "postgres cluster: running in $dir"
  ;;
stop)
  [ -f "$state/dir" ] || exit 0
  dir=$(cat "$state/dir")
  if [ -d "$dir/data" ]; then
    as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  rm -f "$state/dir" "$state/url"
  ;;
*)
  echo "usage: cluster.sh start|stop STATE_DIR" >&2
  exit 2
  ;;
esac
