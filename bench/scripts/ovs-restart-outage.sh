#!/usr/bin/env bash
# The same probe as restart-outage.sh, for Open vSwitch 3.1 with its userspace datapath (netdev), the comparison
# the restart figures are given against: two namespaces on veth ports of an OVS bridge (NORMAL), a UDP stream of
# one datagram per ms with sequence numbers across it (bench/Fabric.UdpStream), and per run `ovs-appctl exit` (OVS
# ≥ 2.14 keeps its datapath flows, but no process forwards until ovs-vswitchd runs again) then a new ovs-vswitchd;
# prints the longest gap between arrivals and the datagrams lost, per run and the median.
#
# OVS runs privately: its own database, sockets and logs in a temporary directory; its bridge's TAP device and
# ovs-netdev live in the host namespace only while the script runs.
#
# Run as root from the repository root:   bash bench/scripts/ovs-restart-outage.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
runs="${1:-5}"
bash lab/ensure-packages.sh --ovs
id=$(printf '%04x' $((RANDOM % 65536)))
ns1="fov-a-$id"; ns2="fov-b-$id"; v1="fov1-$id"; v2="fov2-$id"; br="fovbr-$id"
work="$(mktemp -d /tmp/ovs-outage.XXXXXX)"
ovs_dir="$work/ovs"
source lab/private-ovs.sh
cleanup() {
  set +e
  ovs_stop
  wait 2>/dev/null
  ip netns del "$ns1" 2>/dev/null; ip netns del "$ns2" 2>/dev/null
  ip link del "$v1" 2>/dev/null; ip link del "$v2" 2>/dev/null
  ip link del "$br" 2>/dev/null; ip link del ovs-netdev 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

dotnet publish bench/Fabric.UdpStream -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/udp" -nologo -v q >/dev/null
udp="$work/udp/Fabric.UdpStream"
for i in 1 2; do
  ns="fov-$([ $i = 1 ] && echo a || echo b)-$id"; v="fov$i-$id"
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$v" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "02:0d:00:00:00:0$i"
  ip -n "$ns" addr add "10.96.0.$i/24" dev eth0
  ip -n "$ns" link set eth0 up; ip link set "$v" up
  ethtool -K "$v" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n "$ns1" neigh replace 10.96.0.2 lladdr 02:0d:00:00:00:02 dev eth0 nud permanent
ip -n "$ns2" neigh replace 10.96.0.1 lladdr 02:0d:00:00:00:01 dev eth0 nud permanent

ovs_start
vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev -- add-port "$br" "$v1" -- add-port "$br" "$v2"
ip netns exec "$ns1" ping -q -c 20 -i 0.01 10.96.0.2 >/dev/null

gaps=()
for r in $(seq "$runs"); do
  ip netns exec "$ns2" "$udp" receive 5000 4 >"$work/udp.txt" 2>&1 &
  recv_pid=$!
  sleep 0.3
  ip netns exec "$ns1" "$udp" send 10.96.0.2 5000 1000 3000 &
  send_pid=$!
  sleep 0.7
  appctl exit >/dev/null
  while kill -0 "$vswitchd_pid" 2>/dev/null; do sleep 0.001; done
  ovs_start_vswitchd
  wait "$send_pid" || true
  wait "$recv_pid" || true
  gap=$(sed -nE 's/.*longest gap ([0-9.]+) ms.*/\1/p' "$work/udp.txt")
  echo "ovs exit run $r: outage ${gap} ms ($(cat "$work/udp.txt"))"
  gaps+=("$gap")
done
median=$(printf '%s\n' "${gaps[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median OVS 3.1 userspace restart outage (ovs-appctl exit + ovs-vswitchd start): ${median} ms over $runs runs"
