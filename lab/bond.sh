#!/usr/bin/env bash
# Bonds and LACP on real links: a Fabric bond (balance-tcp, LACP active, fast) facing an Open vSwitch 3.1 bond
# (same settings; OVS runs privately — its own ovsdb-server and ovs-vswitchd, database and sockets in a temporary
# directory, in its own network namespace, netdev datapath) over two veth pairs, with a host behind each switch:
#
#   h1 ── [Fabric br0: bond0 = fa, fb] ══ two links ══ [OVS: bond0 = oa, ob] ── h2
#
# It waits for LACP to negotiate, prints Fabric's lacp/show and bond/show next to OVS's lacp/show, pings across,
# cuts the link carrying a 2 ms ping stream (carrier down) and counts the lost pings, shows the member back after
# its updelay, prints dpctl/dump-flows, and removes everything it created, even on failure.
#
# Run as root from the repository root:   bash lab/bond.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "lab/bond.sh: run as root (it creates network namespaces)" >&2; exit 2; }
bash lab/ensure-packages.sh --ovs

id=$(printf '%04x' $((RANDOM % 65536)))
h1="fbl-h1-$id"; h2="fbl-h2-$id"; sw="fbl-sw-$id"
hp="fbh-$id"; fa="fba-$id"; fb="fbb-$id"; oa="fboa-$id"; ob="fbob-$id"; oh="fboh-$id"; br="fbbr-$id"
work="$(mktemp -d /tmp/fabric-bond.XXXXXX)"
sock="$work/fabric.ctl"
fabric_pid=""
ovs_dir="$work/ovs"
source lab/private-ovs.sh

cleanup() {
  set +e
  if [ -n "$fabric_pid" ] && kill -0 "$fabric_pid" 2>/dev/null; then
    "$fabric" ctl --socket "$sock" exit >/dev/null 2>&1
    for _ in $(seq 50); do kill -0 "$fabric_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$fabric_pid" 2>/dev/null
  fi
  ovs_stop
  wait 2>/dev/null
  for ns in "$h1" "$h2" "$sw"; do ip netns del "$ns" 2>/dev/null; done
  for l in "$hp" "$fa" "$fb"; do ip link del "$l" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# OVS's userspace datapath (without userspace TSO) reads only complete frames, so the interfaces it opens, and the
# fabric's ends of the links to it, have checksum and segmentation offloads off (the kernel then segments and
# checksums what the fabric sends there). h1 and its port keep the kernel's offloads: the fabric takes them as they are.
ovs_offloads_off() { # [ns] dev
  if [ $# = 2 ]; then ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
  else ethtool -K "$1" tx off tso off gso off gro off >/dev/null 2>&1 || true; fi
}

echo "== building fabric"
dotnet build src/Fabric.Host -c Release -nologo -v q -o "$work/bin" >/dev/null
fabric="$work/bin/fabric"

echo "== creating hosts $h1, $h2, the OVS namespace $sw and the two links"
for ns in "$h1" "$h2" "$sw"; do
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip link add "$hp" type veth peer name eth0 netns "$h1"
ip link set "$hp" up
ip -n "$sw" link add "$oh" type veth peer name eth0 netns "$h2"
ip -n "$sw" link set "$oh" up; ovs_offloads_off "$sw" "$oh"
for n in 1 2; do
  ns="h$n"; host="${!ns}"
  ip -n "$host" link set eth0 address "02:78:00:00:00:0$n"
  ip -n "$host" addr add "10.78.0.$n/24" dev eth0
  ip -n "$host" link set eth0 up
done
ip link add "$fa" type veth peer name "$oa" netns "$sw"
ip link add "$fb" type veth peer name "$ob" netns "$sw"
for l in "$fa" "$fb"; do ip link set "$l" up; ovs_offloads_off "$l"; done
for l in "$oa" "$ob"; do ip -n "$sw" link set "$l" up; ovs_offloads_off "$sw" "$l"; done
ovs_offloads_off "$h2" eth0   # h2 sits behind OVS

echo "== starting a private Open vSwitch in $sw"
ovs_start "$sw"
vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev other_config:hwaddr=aa:77:aa:77:00:00
vsctl add-port "$br" "$oh"
vsctl add-bond "$br" bond0 "$oa" "$ob" bond_mode=balance-tcp lacp=active other_config:lacp-time=fast

cat >"$work/fabric.conf" <<CONF
fabric {
  node-name = bondlab
  state-dir = "$work/state"
  control.socket = "$sock"
  bridges = [
    { name = br0
      ports = [
        { name = $hp }
        { name = bond0, type = bond, interfaces = [$fa, $fb], bond-mode = balance-tcp,
          lacp = active, lacp-time = fast, bond-updelay = 200ms }
      ] }
  ]
}
CONF

echo "== starting fabric"
"$fabric" run --config "$work/fabric.conf" >"$work/fabric.log" 2>&1 &
fabric_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; kill -0 "$fabric_pid" 2>/dev/null || break; sleep 0.1; done
[ -S "$sock" ] || { echo "fabric did not start:"; cat "$work/fabric.log"; exit 1; }
ctl() { "$fabric" ctl --socket "$sock" "$@"; }

ok=1
echo "== waiting for LACP to negotiate"
negotiated=0
for _ in $(seq 100); do
  if ctl lacp/show bond0 | grep -q "status: active negotiated" \
     && [ "$(ctl lacp/show bond0 | grep -c 'current attached')" = 2 ] \
     && [ "$(appctl lacp/show bond0 | grep -c 'current attached')" = 2 ]; then negotiated=1; break; fi
  sleep 0.2
done
[ "$negotiated" = 1 ] || { echo "FAIL: LACP did not negotiate"; ok=0; }
echo
ctl show
echo
echo "== fabric ctl lacp/show bond0"; ctl lacp/show bond0
echo
echo "== ovs-appctl lacp/show bond0 (the partner)"; appctl lacp/show bond0
echo
echo "== fabric ctl bond/show bond0"; ctl bond/show bond0
echo
echo "== ping h1 -> h2 across the bonds"
ip netns exec "$h1" ping -c 5 -i 0.2 -W 1 10.78.0.2 | tail -n 2 || true
ip netns exec "$h1" ping -q -c 20 -i 0.05 -W 1 10.78.0.2 | grep -q ' 0% packet loss' || { echo "FAIL: loss across the bond"; ok=0; }

echo
echo "== failover: 2 ms pings, then carrier down on the member carrying them"
tx() { cat "/sys/class/net/$1/statistics/tx_packets"; }
ip netns exec "$h1" ping -q -c 2500 -i 0.002 -W 1 10.78.0.2 >"$work/ping.txt" 2>&1 &
ping_pid=$!
a0=$(tx "$fa"); b0=$(tx "$fb"); sleep 0.5; a1=$(tx "$fa"); b1=$(tx "$fb")
if [ $((a1 - a0)) -ge $((b1 - b0)) ]; then cut="$fa"; else cut="$fb"; fi
ip link set "$cut" down
wait "$ping_pid" || true
echo "cut $cut: $(grep 'packets transmitted' "$work/ping.txt")"
echo
ctl bond/show bond0
echo "== the link comes back: the member is enabled again after LACP re-attaches it and its 200 ms updelay"
ip link set "$cut" up
back=0
for _ in $(seq 100); do ctl bond/show bond0 | grep -q "member $cut: enabled" && { back=1; break; }; sleep 0.2; done
[ "$back" = 1 ] && echo "member $cut: enabled" || { echo "FAIL: $cut did not come back"; ok=0; }
echo
echo "== fabric ctl dpctl/dump-flows (bond outputs are lb_output(BOND-ID))"
ctl dpctl/dump-flows
echo
if [ "$ok" = 1 ]; then echo "bond lab: PASS (LACP negotiated with OVS, 0% loss across, failover shown above)"; else echo "bond lab: FAIL"; tail -n 30 "$work/fabric.log"; exit 1; fi
