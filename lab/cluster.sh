#!/usr/bin/env bash
# A fabric across three hosts: three hypervisor namespaces (hv1..hv3) joined by an underlay (a Linux
# bridge in its own namespace), each running its own `fabric` process, which together form one
# Akka.Cluster over the underlay. Behind each hypervisor are two VMs (namespaces): tenant A on bridge
# bra (VNI 100) and tenant B on bridge brb (VNI 200), all six in one IP subnet, so only the VNIs keep
# the tenants apart. The script forms the cluster, pings every VM from every other VM of its tenant
# on the other hosts (must be 0 % loss), pings across tenants (must get no reply), captures VXLAN on
# the underlay (UDP 4789, both VNIs), prints cluster/show, tnl/ports/show, fdb/show and
# dpctl/dump-flows with the tunnel actions, and removes everything it created, even on failure.
#
# Run as root from the repository root:   bash lab/cluster.sh
# With --load SECONDS it then loads the cluster: iperf3 TCP between tenant A's VMs across all three hosts
# for SECONDS (the fabric processes and the streams share the machine's cores), and counts the false
# unreachables — a member marked unreachable by a peer although it never stopped — in the three logs.
set -euo pipefail
load=0
if [ "${1:-}" = "--load" ]; then load="${2:?--load needs SECONDS}"; fi
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "lab/cluster.sh: run as root (it creates network namespaces)" >&2; exit 2; }
bash lab/ensure-packages.sh --cluster

id=$(printf '%04x' $((RANDOM % 65536)))
ul="fabc-ul-$id"
work="$(mktemp -d /tmp/fabric-cluster.XXXXXX)"
pids=()
namespaces=("$ul")

cleanup() {
  set +e
  for n in 1 2 3; do
    [ -S "$work/hv$n.ctl" ] && "$fabric" ctl --socket "$work/hv$n.ctl" exit >/dev/null 2>&1
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building fabric"
dotnet build src/Fabric.Host -c Release -nologo -v q -o "$work/bin" >/dev/null
fabric="$work/bin/fabric"

new_ns() {
  ip netns add "$1"; namespaces+=("$1")
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}

echo "== underlay $ul (10.78.0.0/24) and hypervisors hv1..hv3"
new_ns "$ul"
ip -n "$ul" link add br-ul type bridge
ip -n "$ul" link set br-ul up
vm() { # hv-ns n tenant ip
  local vm="fabc-v$2$3-$id"
  new_ns "$vm"
  ip -n "$1" link add "v$3$2" type veth peer name eth0 netns "$vm"
  ip -n "$1" link set "v$3$2" up
  ip -n "$vm" link set eth0 address "02:78:00:0$3:00:0$2"   # 02:78:00:0a:00:01 is tenant A's VM on hv1
  ip -n "$vm" addr add "$4/24" dev eth0
  # VXLAN adds 50 bytes: a 1450-byte MTU keeps every tunnelled frame inside the 1500-byte underlay.
  ip -n "$vm" link set eth0 mtu 1450 up
}
for n in 1 2 3; do
  hv="fabc-hv$n-$id"
  new_ns "$hv"
  ip link add "fu$n-$id" netns "$ul" type veth peer name eth0 netns "$hv"
  ip -n "$ul" link set "fu$n-$id" master br-ul up
  ip -n "$hv" addr add "10.78.0.$n/24" dev eth0
  ip -n "$hv" link set eth0 up
  vm "$hv" "$n" a "10.79.0.1$n"
  vm "$hv" "$n" b "10.79.0.2$n"
  cat >"$work/hv$n.conf" <<CONF
fabric {
  node-name = hv$n
  state-dir = "$work/hv$n-state"
  control.socket = "$work/hv$n.ctl"
  cluster {
    seed-nodes = ["10.78.0.1:4051", "10.78.0.2:4051", "10.78.0.3:4051"]
    hostname = "10.78.0.$n"      # Akka remoting's address, also the VTEP
  }
  bridges = [
    { name = bra, vni = 100, ports = [ { name = va$n } ] }   # tenant A
    { name = brb, vni = 200, ports = [ { name = vb$n } ] }   # tenant B
  ]
}
CONF
done

echo "== starting three fabric processes"
for n in 1 2 3; do
  ip netns exec "fabc-hv$n-$id" "$fabric" run --config "$work/hv$n.conf" >"$work/hv$n.log" 2>&1 &
  pids+=($!)
done
for n in 1 2 3; do
  for _ in $(seq 150); do [ -S "$work/hv$n.ctl" ] && break; sleep 0.1; done
  [ -S "$work/hv$n.ctl" ] || { echo "hv$n did not start:"; cat "$work/hv$n.log"; exit 1; }
done
ctl() { "$fabric" ctl --socket "$work/hv$1.ctl" "${@:2}"; }

echo "== waiting for three Up members on every node"
for n in 1 2 3; do
  for _ in $(seq 300); do
    [ "$(ctl "$n" cluster/show 2>/dev/null | grep -cE '^hv[0-9]+ +\S+ +Up +yes')" = 3 ] && break
    sleep 0.1
  done
  [ "$(ctl "$n" cluster/show | grep -cE '^hv[0-9]+ +\S+ +Up +yes')" = 3 ] || { ctl "$n" cluster/show; tail -30 "$work/hv$n.log"; exit 1; }
done

ip netns exec "fabc-hv1-$id" tcpdump --immediate-mode -i eth0 -n -l 'udp port 4789' >"$work/underlay.txt" 2>/dev/null &
capture=$!
pids+=("$capture")
sleep 1

echo "== pings within each VNI across hosts (must be 0% loss)"
fail=0
for t in a b; do
  base=$([ "$t" = a ] && echo 1 || echo 2)
  for from in 1 2 3; do
    for to in 1 2 3; do
      [ "$from" = "$to" ] && continue
      loss=$( (ip netns exec "fabc-v$from$t-$id" ping -q -c 3 -i 0.2 -W 1 "10.79.0.$base$to" || true) | grep -oE '[0-9.]+% packet loss' | cut -d% -f1)
      printf '  tenant %s: vm%s -> vm%s (10.79.0.%s%s): %s%% loss\n' "$t" "$from" "$to" "$base" "$to" "$loss"
      [ "$loss" = 0 ] || fail=1
    done
  done
done
echo "== pings across VNIs (must get no reply)"
for pair in "1a 10.79.0.22" "2b 10.79.0.13" "3a 10.79.0.21"; do
  set -- $pair
  loss=$( (ip netns exec "fabc-v$1-$id" ping -q -c 2 -i 0.2 -W 1 "$2" || true) | grep -oE '[0-9.]+% packet loss' | cut -d% -f1)
  printf '  vm%s -> %s: %s%% loss\n' "$1" "$2" "$loss"
  [ "$loss" = 100 ] || fail=1
done

kill -INT "$capture" 2>/dev/null; wait "$capture" 2>/dev/null || true
echo "== underlay capture on hv1 (first lines)"
head -n 6 "$work/underlay.txt"
for vni in 100 200; do
  grep -q "vni $vni" "$work/underlay.txt" || { echo "no VXLAN with vni $vni on the underlay"; fail=1; }
done

echo "== hv1: cluster/show"; ctl 1 cluster/show
echo "== hv1: tnl/ports/show"; ctl 1 tnl/ports/show
echo "== hv1: show"; ctl 1 show
echo "== hv1: fdb/show bra"; ctl 1 fdb/show bra
echo "== hv1: dpctl/dump-flows"; ctl 1 dpctl/dump-flows
if [ "$load" -gt 0 ]; then
  echo "== load: iperf3 TCP vm1->vm2, vm2->vm3, vm3->vm1 (tenant A) for ${load}s"
  for n in 1 2 3; do ip netns exec "fabc-v${n}a-$id" iperf3 -s -D -1 >/dev/null 2>&1; done
  sleep 0.5
  clients=()
  for pair in "1 2" "2 3" "3 1"; do
    set -- $pair
    ip netns exec "fabc-v${1}a-$id" iperf3 -c "10.79.0.1$2" -t "$load" -f g >"$work/iperf-$1-$2.txt" 2>&1 &
    clients+=($!)
  done
  for c in "${clients[@]}"; do wait "$c" || true; done
  for pair in "1 2" "2 3" "3 1"; do
    set -- $pair
    printf '  vm%s -> vm%s: %s\n' "$1" "$2" "$(grep -E 'receiver' "$work/iperf-$1-$2.txt" | awk '{print $7, $8}')"
  done
  false_unreachable=$(cat "$work"/hv?.log | grep -ci "marking node.* as unreachable" || true)
  cluster_lines=$(cat "$work"/hv?.log | grep -c "Cluster Node \[" || true)
  echo "== false unreachables under load: $false_unreachable (Akka's 'Marking node as UNREACHABLE' in the three logs, which hold $cluster_lines Akka.Cluster lines, while every node ran)"
  for n in 1 2 3; do
    [ "$(ctl "$n" cluster/show | grep -cE '^hv[0-9]+ +\S+ +Up +yes')" = 3 ] || { echo "hv$n does not see three Up members after the load"; ctl "$n" cluster/show; fail=1; }
  done
fi
[ "$fail" = 0 ] && echo "== cluster lab passed" || { echo "== cluster lab FAILED"; exit 1; }
