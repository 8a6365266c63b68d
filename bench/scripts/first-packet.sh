#!/usr/bin/env bash
# Latency of a new flow's first packet through the slow path: two namespaces joined by veth (AF_PACKET) ports of a
# `fabric run` bridge, static ARP entries (so a ping is exactly two frames: the echo request and its reply). Each
# round forgets every learned MAC (`fabric ctl fdb/flush`) and every datapath flow (`fabric ctl dpctl/del-flows`),
# then sends one ping: both frames miss, go up as upcalls, are translated by NORMAL (learning the source, flooding or
# forwarding), installed and sent as packet-outs. Prints the median and max of those cold RTTs, and the median and
# max of the warm RTT (pings on installed megaflows). Comparable with OVS userspace measured the same way
# (ovs-appctl fdb/flush + ovs-appctl dpctl/del-flows before each ping).
#
# Run as root from the repository root:   bash bench/scripts/first-packet.sh [ROUNDS]
# FABRIC=path/to/fabric uses an existing build instead of publishing one (self-contained, ReadyToRun);
# FABRIC_AKKA='akka { ... }' adds an akka section to the node's configuration (to try dispatcher settings).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
rounds="${1:-30}"
bash lab/ensure-packages.sh
id=$(printf '%04x' $((RANDOM % 65536)))
ns1="ffp-a-$id"; ns2="ffp-b-$id"; v1="ffp1-$id"; v2="ffp2-$id"
work="$(mktemp -d /tmp/fabric-first-packet.XXXXXX)"; sock="$work/fabric.ctl"; pid=""
cleanup() {
  set +e
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  ip netns del "$ns1" 2>/dev/null; ip netns del "$ns2" 2>/dev/null
  ip link del "$v1" 2>/dev/null; ip link del "$v2" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fabric="${FABRIC:-}"
if [ -z "$fabric" ]; then
  echo "== publishing fabric (Release, self-contained, ReadyToRun)"
  dotnet publish src/Fabric.Host -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -o "$work/bin" -nologo -v q >/dev/null
  fabric="$work/bin/fabric"
fi

for i in 1 2; do
  ns="ffp-$([ $i = 1 ] && echo a || echo b)-$id"; v="ffp$i-$id"
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$v" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "02:0c:00:00:00:0$i"
  ip -n "$ns" addr add "10.97.0.$i/24" dev eth0
  ip -n "$ns" link set eth0 up; ip link set "$v" up
  ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n "$ns1" neigh replace 10.97.0.2 lladdr 02:0c:00:00:00:02 dev eth0 nud permanent
ip -n "$ns2" neigh replace 10.97.0.1 lladdr 02:0c:00:00:00:01 dev eth0 nud permanent
cat >"$work/fabric.conf" <<CONF
fabric { node-name = first-packet, state-dir = "$work/state", control.socket = "$sock"
  bridges = [ { name = br0, ports = [ { name = $v1 }, { name = $v2 } ] } ] }
${FABRIC_AKKA:-}
CONF

"$fabric" run --config "$work/fabric.conf" >>"$work/fabric.log" 2>&1 &
pid=$!
for _ in $(seq 3000); do [ -S "$sock" ] && break; sleep 0.01; done
[ -S "$sock" ] || { echo "fabric did not start"; cat "$work/fabric.log"; exit 1; }
ip netns exec "$ns1" ping -q -c 20 -i 0.01 10.97.0.2 >/dev/null

# One ping's RTT in ms (empty when it got no reply).
rtt() { ip netns exec "$ns1" ping -n -c 1 -W 1 10.97.0.2 | sed -nE 's/.*time=([0-9.]+) ms.*/\1/p'; }

# "median max" of the numbers on standard input.
stats() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- -"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f\n", m, v[NR] }'; }

cold=(); lost=0
for r in $(seq -2 "$rounds"); do
  "$fabric" ctl --socket "$sock" fdb/flush >/dev/null
  "$fabric" ctl --socket "$sock" dpctl/del-flows >/dev/null
  sleep 0.2   # let the ctl process's exit and the deletes settle: the ping measures the slow path alone
  t=$(rtt)
  [ "$r" -ge 1 ] || continue   # three rounds first that are not counted (the slow path's code is warm after them)
  if [ -n "$t" ]; then cold+=("$t"); else lost=$((lost + 1)); fi
  # The last garbage collection, as memory/show gives it ("#N, genG, KIND, paused X ms, promoted B bytes"): each one
  # that happened during the rounds is listed below, since a collection pauses the poll threads too.
  "$fabric" ctl --socket "$sock" memory/show | sed -nE 's/^last collection: (#[0-9]+.*)/\1/p' >>"$work/collections"
done
warm=()
for r in $(seq "$rounds"); do
  t=$(rtt)
  [ -n "$t" ] && warm+=("$t")
  sleep 0.05
done
read -r cmed cmax < <(printf '%s\n' "${cold[@]}" | stats)
read -r wmed wmax < <(printf '%s\n' "${warm[@]}" | stats)
echo "first packet (cold, $rounds rounds, $lost lost): median $cmed ms, max $cmax ms"
echo "warm:                                  median $wmed ms, max $wmax ms"
echo "cold RTTs: ${cold[*]}"
# Collections during the cold rounds: the distinct ones seen after a round, less the one already there before the first.
first=$(head -n 1 "$work/collections" 2>/dev/null || true)
during=$(awk '!seen[$0]++' "$work/collections" 2>/dev/null | grep -vxF -- "$first" || true)
if [ -z "$during" ]; then
  echo "garbage collections during the cold rounds: none (the last one, before them: ${first:-none})"
else
  echo "garbage collections during the cold rounds ($(echo "$during" | wc -l), longest pause $(echo "$during" | sed -nE 's/.*paused ([0-9.]+) ms.*/\1/p' | sort -g | tail -n 1) ms):"
  echo "$during" | sed 's/^/  /'
fi
