#!/bin/sh
# Runs db_bench.c: tests/bench/db.sh DRIVER sqlite | postgres. For
# postgres it creates a throw-away PostgreSQL cluster in a temporary
# directory (as the `postgres` user when run as root), serves it on a free
# loopback port with fsync off, runs the benchmark and stops the server.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 DRIVER sqlite|postgres" >&2
  exit 2
fi
driver=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
pgpid=
as=""
bin=""
cleanup() {
  if [ -n "$pgpid" ]; then
    $as "$bin/pg_ctl" -D "$work/pg/data" stop -m fast >/dev/null 2>&1 || kill "$pgpid" 2>/dev/null || true
    wait "$pgpid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/lib"
cp "$here/config.bench" "$here/master.c" "$here/db_bench.c" "$work/lib/"
case "$2" in
  sqlite)
    cd "$work/lib"
    "$driver" config.bench -fdb:sqlite
    ;;
  postgres)
    initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)
    bin=$(dirname "$(realpath "$initdb")")
    if [ "$(id -u)" = 0 ]; then as="runuser -u postgres --"; fi
    mkdir "$work/pg"
    echo benchpass > "$work/pg/password"
    [ -z "$as" ] || chown -R postgres "$work/pg"
    chmod 755 "$work"
    $as "$bin/initdb" -D "$work/pg/data" -U bench --auth=scram-sha-256 -E UTF8 --no-sync \
      --pwfile="$work/pg/password" >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    $as "$bin/postgres" -D "$work/pg/data" -p "$port" -k "$work/pg" \
      -c listen_addresses=127.0.0.1 -c fsync=off 2>"$work/pg/log" &
    pgpid=$!
    i=0
    until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
      i=$((i + 1))
      if [ $i -gt 100 ]; then cat "$work/pg/log" >&2; exit 1; fi
      sleep 0.2
    done
    PGPASSWORD=benchpass "$bin/createdb" -h 127.0.0.1 -p "$port" -U bench bench
    cd "$work/lib"
    "$driver" config.bench "-fdb:postgres/127.0.0.1:$port/bench/bench/benchpass"
    ;;
  *)
    echo "usage: $0 DRIVER sqlite|postgres" >&2
    exit 2
    ;;
esac
