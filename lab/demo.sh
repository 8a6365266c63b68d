#!/usr/bin/env bash
# The main job on real input: three hosts (network namespaces) on one Fabric bridge — h1 and h2 in
# VLAN 10, h3 in VLAN 20, all in one IP subnet — with h1 and h3 attached through veth pairs
# (AF_PACKET ports) and h2 through a TAP device the fabric creates. It starts the fabric, pings
# within VLAN 10 (must be 0 % loss) and across VLANs (must get no reply), restarts the fabric with
# `fabric ctl restart` while h1 pings h2 every 10 ms (must lose none), prints show, fdb/show,
# dpctl/dump-flows, dpctl/show, upcall/show and persistence/show, and removes everything it created,
# even on failure.
#
# Run as root from the repository root:   bash lab/demo.sh
# The interfaces keep the kernel's checksum and segmentation offloads (on): the fabric's AF_PACKET and
# TAP ports carry each frame's virtio-net header (fabric.datapath.vnet-headers, default on).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "lab/demo.sh: run as root (it creates network namespaces)" >&2; exit 2; }
bash lab/ensure-packages.sh

id=$(printf '%04x' $((RANDOM % 65536)))
ns1="fab-h1-$id"; ns2="fab-h2-$id"; ns3="fab-h3-$id"
v1="fv1-$id"; v3="fv3-$id"; tap="ft2-$id"
work="$(mktemp -d /tmp/fabric-lab.XXXXXX)"
sock="$work/fabric.ctl"
fabric_pid=""

cleanup() {
  set +e
  if [ -n "$fabric_pid" ] && kill -0 "$fabric_pid" 2>/dev/null; then
    "$fabric" ctl --socket "$sock" exit >/dev/null 2>&1
    for _ in $(seq 50); do kill -0 "$fabric_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$fabric_pid" 2>/dev/null
  fi
  for ns in "$ns1" "$ns2" "$ns3"; do ip netns del "$ns" 2>/dev/null; done
  ip link del "$v1" 2>/dev/null; ip link del "$v3" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building fabric"
dotnet build src/Fabric.Host -c Release -nologo -v q -o "$work/bin" >/dev/null
fabric="$work/bin/fabric"

echo "== creating hosts $ns1 $ns2 $ns3"
veth_host() { # ns veth ip mac
  ip netns add "$1"
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$2" type veth peer name eth0 netns "$1"
  ip -n "$1" addr add "$3/24" dev eth0
  ip -n "$1" link set eth0 address "$4"
  ip -n "$1" link set eth0 up; ip -n "$1" link set lo up
  ip link set "$2" up
}
veth_host "$ns1" "$v1" 10.77.0.1 02:77:00:00:00:01
veth_host "$ns3" "$v3" 10.77.0.3 02:77:00:00:00:03
ip netns add "$ns2"; ip netns exec "$ns2" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

cat >"$work/fabric.conf" <<CONF
fabric {
  node-name = lab
  state-dir = "$work/state"
  control.socket = "$sock"
  bridges = [
    { name = br0
      ports = [
        { name = $v1, tag = 10 }             # h1: AF_PACKET, access VLAN 10
        { name = $tap, type = tap, tag = 10 } # h2: TAP, access VLAN 10
        { name = $v3, tag = 20 }             # h3: AF_PACKET, access VLAN 20
      ] }
  ]
}
CONF

echo "== starting fabric"
"$fabric" run --config "$work/fabric.conf" >"$work/fabric.log" 2>&1 &
fabric_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; kill -0 "$fabric_pid" 2>/dev/null || break; sleep 0.1; done
[ -S "$sock" ] || { echo "fabric did not start:"; cat "$work/fabric.log"; exit 1; }

# The fabric created the TAP device; hand it to h2.
ip link set "$tap" netns "$ns2"
ip -n "$ns2" link set "$tap" name eth0
ip -n "$ns2" link set eth0 address 02:77:00:00:00:02
ip -n "$ns2" addr add 10.77.0.2/24 dev eth0
ip -n "$ns2" link set eth0 up; ip -n "$ns2" link set lo up

echo
"$fabric" ctl --socket "$sock" show
echo
ok=1
echo "== ping within VLAN 10: h1 -> h2 (TAP)"
ip netns exec "$ns1" ping -c 5 -i 0.2 -W 1 10.77.0.2 | tail -n 2 || true
ip netns exec "$ns1" ping -q -c 20 -i 0.05 -W 1 10.77.0.2 | grep -q ' 0% packet loss' || { echo "FAIL: loss within VLAN 10"; ok=0; }
echo "== ping within VLAN 10: h2 (TAP) -> h1"
ip netns exec "$ns2" ping -c 5 -i 0.2 -W 1 10.77.0.1 | tail -n 2 || true
echo "== ping across VLANs: h1 (VLAN 10) -> h3 (VLAN 20), must get no reply"
if ip netns exec "$ns1" ping -c 3 -i 0.2 -W 1 10.77.0.3 | tail -n 2; then
  echo "FAIL: a reply crossed VLANs"; ok=0
else
  echo "no reply across VLANs, as expected"
fi
echo
echo "== fabric ctl restart while h1 pings h2 every 10 ms: the new process takes the ports over (TAP included)"
ip netns exec "$ns1" ping -q -c 300 -i 0.01 -W 1 10.77.0.2 >"$work/restart-ping.txt" 2>&1 &
ping_pid=$!
sleep 0.5
out=$("$fabric" ctl --socket "$sock" --timeout 60 restart) || { echo "FAIL: restart: $out"; ok=0; }
echo "$out"
new_pid=$(sed -nE 's/^restarted: pid ([0-9]+).*/\1/p' <<<"$out")
[ -n "$new_pid" ] && fabric_pid="$new_pid"
wait "$ping_pid" || true
echo "pings across the restart: $(grep 'packets transmitted' "$work/restart-ping.txt")"
grep -q ' 0% packet loss' "$work/restart-ping.txt" || { echo "FAIL: pings lost across the restart"; ok=0; }
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
"$fabric" ctl --socket "$sock" persistence/show | head -n 1
echo
echo "== fabric ctl fdb/show br0"
"$fabric" ctl --socket "$sock" fdb/show br0
echo
echo "== fabric ctl dpctl/dump-flows"
"$fabric" ctl --socket "$sock" dpctl/dump-flows
echo
echo "== fabric ctl dpctl/show"
"$fabric" ctl --socket "$sock" dpctl/show
echo
echo "== fabric ctl upcall/show"
"$fabric" ctl --socket "$sock" upcall/show
echo
echo "== fabric ctl persistence/show"
"$fabric" ctl --socket "$sock" persistence/show
echo
if [ "$ok" = 1 ]; then echo "lab: PASS (0% loss within VLAN 10, no reply across VLANs, 0% loss across a restart)"; else echo "lab: FAIL"; cat "$work/fabric.log"; exit 1; fi
