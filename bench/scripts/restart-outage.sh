#!/usr/bin/env bash
# Measures the forwarding outage of a full fabric process restart (`fabric ctl exit`, then `fabric run`
# again) on real traffic: two namespaces on veth (AF_PACKET) ports, ping every 1 ms across the fabric,
# and the longest gap between replies around the restart. Prints one line per run and the median.
#
# Run as root from the repository root:   bash bench/scripts/restart-outage.sh [RUNS]
# The fabric is published ReadyToRun (what a deployment would run), so startup is not dominated by JIT.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
runs="${1:-5}"
bash lab/ensure-packages.sh
id=$(printf '%04x' $((RANDOM % 65536)))
ns1="fob-a-$id"; ns2="fob-b-$id"; v1="fob1-$id"; v2="fob2-$id"
work="$(mktemp -d /tmp/fabric-outage.XXXXXX)"; sock="$work/fabric.ctl"; pid=""
cleanup() {
  set +e
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  ip netns del "$ns1" 2>/dev/null; ip netns del "$ns2" 2>/dev/null
  ip link del "$v1" 2>/dev/null; ip link del "$v2" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publishing fabric (Release, ReadyToRun)"
dotnet publish src/Fabric.Host -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/bin" -nologo -v q >/dev/null
fabric="$work/bin/fabric"

for i in 1 2; do
  ns="fob-$([ $i = 1 ] && echo a || echo b)-$id"; v="fob$i-$id"
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$v" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "02:0b:00:00:00:0$i"
  ip -n "$ns" addr add "10.98.0.$i/24" dev eth0
  ip -n "$ns" link set eth0 up; ip link set "$v" up
  ethtool -K "$v" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n "$ns1" neigh replace 10.98.0.2 lladdr 02:0b:00:00:00:02 dev eth0 nud permanent
ip -n "$ns2" neigh replace 10.98.0.1 lladdr 02:0b:00:00:00:01 dev eth0 nud permanent
cat >"$work/fabric.conf" <<CONF
fabric { node-name = outage, state-dir = "$work/state", control.socket = "$sock"
  bridges = [ { name = br0, ports = [ { name = $v1 }, { name = $v2 } ] } ] }
CONF

start() {
  "$fabric" run --config "$work/fabric.conf" >>"$work/fabric.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do "$fabric" ctl --socket "$sock" list-commands >/dev/null 2>&1 && return 0; sleep 0.01; done
  echo "fabric did not start"; cat "$work/fabric.log"; exit 1
}
start
ip netns exec "$ns1" ping -q -c 20 -i 0.01 10.98.0.2 >/dev/null

gaps=()
for r in $(seq "$runs"); do
  ip netns exec "$ns1" ping -D -n -i 0.001 -c 3000 -W 1 10.98.0.2 >"$work/ping.txt" 2>&1 &
  ping_pid=$!
  sleep 0.5
  "$fabric" ctl --socket "$sock" exit >/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.001; done
  start
  wait "$ping_pid" || true
  gap=$(grep -o '^\[[0-9.]*\]' "$work/ping.txt" | tr -d '[]' | awk 'NR>1 { g = ($1 - p) * 1000; if (g > m) m = g } { p = $1 } END { printf "%.0f", m }')
  lost=$(grep -o '[0-9]* packets transmitted, [0-9]* received' "$work/ping.txt" | awk '{ print $1 - $4 }')
  echo "run $r: outage ${gap} ms (${lost} of 3000 pings at 1 ms lost)"
  gaps+=("$gap")
done
median=$(printf '%s\n' "${gaps[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median restart outage: ${median} ms over $runs runs"
