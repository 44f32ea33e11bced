#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temp dir, a unix socket, a random port on
# 127.0.0.1, fsync on (durability tests need it), trust auth for the admin role on the socket.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # exports PGHOST PGPORT PGUSER PGDATABASE,
#                                                # RUNSHEET_TEST_PG and RUNSHEET_TEST_PG_DIR
#   scripts/pg-test-cluster.sh stop "$RUNSHEET_TEST_PG_DIR"
#
# As root, initdb runs as the `postgres` OS user (initdb refuses root); otherwise as yourself.
set -euo pipefail

pgbin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$d" ] && command -v initdb >/dev/null; then d=$(dirname "$(command -v initdb)"); fi
  [ -n "$d" ] || { echo "pg-test-cluster: no PostgreSQL server binaries (install Debian's postgresql)" >&2; exit 1; }
  echo "$d"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(pgbin)
    dir=$(mktemp -d -t runsheet-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U rs_admin -A trust -E UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export PGHOST=$dir PGPORT=$port PGUSER=rs_admin PGDATABASE=postgres"
    echo "export RUNSHEET_TEST_PG='host=$dir port=$port user=rs_admin dbname=postgres'"
    echo "export RUNSHEET_TEST_PG_DIR=$dir RUNSHEET_TEST_PG_BIN=$bin"
    ;;
  stop)
    dir=${2:?usage: pg-test-cluster.sh stop DIR}
    bin=$(pgbin)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
