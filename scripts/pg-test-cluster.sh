#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb into a temp directory, its own port
# and socket directory, durable settings (fsync on), torn down by `stop`.
#
#   scripts/pg-test-cluster.sh start [port]   # prints RELAY_TEST_DATABASE_URL=postgres://…
#   scripts/pg-test-cluster.sh stop  [port]
#
# Runs as root (initdb and the server run as the `postgres` user) or as any other user
# (then as that user). The cluster's state lives in $PG_TEST_CLUSTER_DIR (default
# /tmp/vantio-pg-test-<port>).
set -euo pipefail

command=${1:-}
port=${2:-${PG_TEST_PORT:-55432}}
base=${PG_TEST_CLUSTER_DIR:-/tmp/vantio-pg-test-$port}
bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg-test-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_owner() { "$@"; }
  owner=$(id -un)
fi

case "$command" in
  start)
    if [ -f "$base/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$base/data" status >/dev/null 2>&1; then
      echo "RELAY_TEST_DATABASE_URL=postgres://$owner@127.0.0.1:$port/postgres"
      exit 0
    fi
    rm -rf "$base"
    mkdir -p "$base/data" "$base/socket"
    chown -R "$owner" "$base"
    as_owner "$bin/initdb" -D "$base/data" -U "$owner" --auth=trust --encoding=UTF8 --no-locale >"$base/initdb.log" 2>&1 ||
      { cat "$base/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start \
      -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$base/socket -c fsync=on -c synchronous_commit=on -c max_connections=200" \
      >/dev/null || { cat "$base/server.log" >&2; exit 1; }
    echo "RELAY_TEST_DATABASE_URL=postgres://$owner@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$base/data" ]; then
      as_owner "$bin/pg_ctl" -D "$base/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$base"
    ;;
  *)
    echo "usage: $0 start|stop [port]" >&2
    exit 2
    ;;
esac
