#!/usr/bin/env bash
# Runs every test project (unit, actor scenario and real-kernel integration tests) and ends with
# the line "N passed, N failed, N skipped". Real-kernel tests need root (namespaces, veth, TAP).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  bash lab/ensure-packages.sh --tests
fi
results="$(mktemp -d /tmp/fabric-tests.XXXXXX)"
dotnet build Fabric.sln -c Release -nologo -v q 2>&1 | tail -n 3
# One test project at a time (-m:1): the real-kernel tests measure failover and restart gaps in milliseconds and
# must not share the two cores with the actor scenario tests.
dotnet test Fabric.sln -c Release --no-build -m:1 --logger "trx" --results-directory "$results" -nologo 2>&1 | tee "$results/test.log"
status=${PIPESTATUS[0]}
# Count outcomes from the TRX files (one per test project).
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -nE 's/.* passed="([0-9]+)".*/\1/p' <<<"$counters"); f=$(sed -nE 's/.* failed="([0-9]+)".*/\1/p' <<<"$counters")
  t=$(sed -nE 's/.* total="([0-9]+)".*/\1/p' <<<"$counters"); e=$(sed -nE 's/.* executed="([0-9]+)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the run itself failed (build or crash) without a failing test to show for it
fi
rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
