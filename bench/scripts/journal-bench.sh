#!/usr/bin/env bash
# The datapath actor's journal on Akka.Persistence.Sql, SQLite and PostgreSQL (a throwaway server from
# tests/pg/pg-start.sh): sustained flow installs per second and the journal's lag behind the live table
# (as fast as possible, and paced at 100k flows/s), and recovery of 10k and 100k megaflows from events
# and from a snapshot. Published ReadyToRun, as a node runs.
#
# Run as root from the repository root:   bash bench/scripts/journal-bench.sh [sqlite|postgresql|both]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
stores="${1:-both}"
case "$stores" in sqlite|postgresql) ;; both) stores="sqlite postgresql" ;; *) echo "store must be sqlite, postgresql or both" >&2; exit 2 ;; esac
work="$(mktemp -d /tmp/fabric-journal-bench.XXXXXX)"
pgdata=""
cleanup() {
  set +e
  [ -n "$pgdata" ] && bash tests/pg/pg-stop.sh "$pgdata" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publishing Fabric.JournalBench (Release, ReadyToRun)"
dotnet publish bench/Fabric.JournalBench -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -o "$work/bin" -nologo -v q >/dev/null
bench="$work/bin/Fabric.JournalBench"

for store in $stores; do
  if [ "$store" = postgresql ]; then
    eval "$(bash tests/pg/pg-start.sh $((40000 + RANDOM % 20000)))"
    pgdata="$PGDATA_FABRIC"
  fi
  n=0
  # A fresh database (file) for every run; sets $target (not a subshell, so the counter moves).
  next_target() {
    n=$((n + 1))
    if [ "$store" = sqlite ]; then target="$work/j$n.db"; else
      runuser -u postgres -- psql -h 127.0.0.1 -p "$PGPORT_FABRIC" -U postgres -qc "CREATE DATABASE b$n" >/dev/null
      target="Host=127.0.0.1;Port=$PGPORT_FABRIC;Username=postgres;Database=b$n"
    fi
  }
  run() { timeout 600 "$bench" "$@" 2>/dev/null || echo "$*: failed or timed out (exit $?)"; }
  echo "== $store"
  next_target; run install "$store" "$target" 200000 0
  next_target; run install "$store" "$target" 300000 100000
  for flows in 10000 100000; do
    next_target; run recover "$store" "$target" "$flows" events
    next_target; run recover "$store" "$target" "$flows" snapshot
  done
done
