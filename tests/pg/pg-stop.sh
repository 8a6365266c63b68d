#!/usr/bin/env bash
# Stops and removes a cluster started by pg-start.sh. Usage: tests/pg/pg-stop.sh [data-dir]  (default: $PGDATA_FABRIC)
set -euo pipefail
PGDATA="${1:-${PGDATA_FABRIC:?usage: pg-stop.sh <data-dir> or set PGDATA_FABRIC}}"
case "$PGDATA" in /tmp/fabric-pg.*) ;; *) echo "pg-stop: refusing to remove $PGDATA (not made by pg-start.sh)" >&2; exit 2 ;; esac
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [ -f "$PGDATA/postmaster.pid" ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null || true
fi
rm -rf "$PGDATA"
