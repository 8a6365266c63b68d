#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 (dependencies.md "Throwaway PostgreSQL on loopback").
# Usage: eval "$(tests/pg/pg-start.sh [port])"   → exports PGDATA_FABRIC, PGPORT_FABRIC and FABRIC_BENCH_PG.
# Stop and remove it with tests/pg/pg-stop.sh. Needs root (initdb/pg_ctl run as user postgres).
set -euo pipefail
PGPORT="${1:-${PGPORT:-55432}}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PGDATA="$(mktemp -d /tmp/fabric-pg.XXXXXX)"
chown postgres:postgres "$PGDATA"
if ! runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
  || ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
       -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
       start >/dev/null; then
  echo "pg-start: failed; log follows" >&2
  cat "$PGDATA/server.log" >&2 2>/dev/null || true
  rm -rf "$PGDATA"
  exit 1
fi
runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE fabric" >/dev/null
echo "export PGDATA_FABRIC=$PGDATA PGPORT_FABRIC=$PGPORT"
echo "export FABRIC_BENCH_PG='Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=fabric'"
