#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temp dir, a unix socket, a random port on
# 127.0.0.1, fsync on (durability tests need it), trust auth for the admin role on the socket.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # exports PGHOST PGPORT PGUSER PGDATABASE,
#                                                # RUNSHEET_TEST_PG and RUNSHEET_TEST_PG_DIR
#   scripts/pg-test-cluster.sh stop "$RUNSHEET_TEST_PG_DIR"
#
# Options of `start` (for tests that need a cluster of their own):
#   --ssl CERT KEY   serve TLS with this certificate and key (PEM)
#   --hba FILE       use FILE as pg_hba.conf (e.g. scram-sha-256 for TCP logins)
#   --set NAME=VALUE a server setting after the defaults (e.g. fsync=off, to test its refusal)
# More verbs, on a cluster started here:
#   kill DIR         kill -9 the postmaster and every one of its children at once (a crash)
#   restart DIR      start it again on the same port after `kill` or `halt` (crash recovery runs)
#   halt DIR         stop it (fast shutdown) but keep its data for `restart`
#
# As root, initdb runs as the `postgres` OS user (initdb refuses root); otherwise as yourself.
# recovery_init_sync_method=syncfs: crash recovery syncs the file system once instead of fsyncing
# every file of the data dir first (restart after `kill` in 1.5 s instead of 3-4 s; no weaker).
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

own() {
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$@"; fi
}

launch() {
  local dir=$1 bin
  bin=$(pgbin)
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/options")" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
}

case "${1:-}" in
  start)
    shift
    ssl_cert= ssl_key= hba= extra=
    while [ $# -gt 0 ]; do
      case "$1" in
        --ssl) ssl_cert=${2:?--ssl CERT KEY}; ssl_key=${3:?--ssl CERT KEY}; shift 3 ;;
        --hba) hba=${2:?--hba FILE}; shift 2 ;;
        --set) extra="$extra -c ${2:?--set NAME=VALUE}"; shift 2 ;;
        *) echo "pg-test-cluster: unknown option $1" >&2; exit 2 ;;
      esac
    done
    bin=$(pgbin)
    dir=$(mktemp -d -t runsheet-pg.XXXXXX)
    chmod 755 "$dir"
    own "$dir"
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U rs_admin -A trust -E UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200 -c recovery_init_sync_method=syncfs"
    if [ -n "$ssl_cert" ]; then
      cp "$ssl_cert" "$dir/server.crt"; cp "$ssl_key" "$dir/server.key"
      chmod 600 "$dir/server.key"; own "$dir/server.crt" "$dir/server.key"
      opts="$opts -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    fi
    if [ -n "$hba" ]; then
      cp "$hba" "$dir/data/pg_hba.conf"; own "$dir/data/pg_hba.conf"
    fi
    echo "$opts$extra" >"$dir/options"
    launch "$dir"
    echo "export PGHOST=$dir PGPORT=$port PGUSER=rs_admin PGDATABASE=postgres"
    echo "export RUNSHEET_TEST_PG='host=$dir port=$port user=rs_admin dbname=postgres'"
    echo "export RUNSHEET_TEST_PG_DIR=$dir RUNSHEET_TEST_PG_BIN=$bin"
    ;;
  kill)
    dir=${2:?usage: pg-test-cluster.sh kill DIR}
    pid=$(head -1 "$dir/data/postmaster.pid")
    # The postmaster and its children, by pid (children found by their parent pid in /proc).
    kids=$(for s in /proc/[0-9]*/stat; do
      { read -r line <"$s"; } 2>/dev/null || continue
      rest=${line##*) }          # after the command name, which may hold spaces
      set -- $rest               # state ppid …
      if [ "${2:-}" = "$pid" ]; then echo "${s//[!0-9]/}"; fi
    done)
    kill -9 "$pid" $kids 2>/dev/null || true
    # Wait until every one of them is gone — reaped, not only a zombie: the restart refuses while
    # the pid in postmaster.pid still exists.
    for p in $pid $kids; do
      for _ in $(seq 1 500); do [ -e "/proc/$p" ] || break; sleep 0.02; done
    done
    ;;
  halt)
    dir=${2:?usage: pg-test-cluster.sh halt DIR}
    as_owner "$(pgbin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart)
    dir=${2:?usage: pg-test-cluster.sh restart DIR}
    launch "$dir"
    ;;
  stop)
    dir=${2:?usage: pg-test-cluster.sh stop DIR}
    bin=$(pgbin)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start [--ssl CERT KEY] [--hba FILE] [--set NAME=VALUE] | kill DIR | halt DIR | restart DIR | stop DIR" >&2; exit 2 ;;
esac
