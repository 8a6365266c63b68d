#!/usr/bin/env bash
# Measures the forwarding outage of a full fabric process restart on real traffic — a graceful one
# (`fabric ctl exit`, then `fabric run` again) and a crash (SIGKILL, then `fabric run`): two namespaces on veth (AF_PACKET) ports, a UDP stream of one datagram per ms
# with sequence numbers across the fabric (bench/Fabric.UdpStream: it never slows down the way ping does
# when replies stop), and the longest gap between arrivals around the restart. Prints one line per run
# and the median of each kind.
#
# With `restart`, the node is restarted with `fabric ctl restart`: the running process hands its port descriptors
# and journal to a successor, which reads only once the old one has stopped, so the frames in between wait in the
# kernel's socket buffers and the "outage" is only the delay of the switch-over.
#
# With `keeper-kill9`, the node runs under a keeper (`fabric run --keeper`) and is killed with SIGKILL: the keeper
# holds the AF_PACKET sockets through the crash and starts a new node, which takes them over and comes back warm; the
# frames of the outage wait in the sockets' buffers, so the gap is the restart's delay and the datagrams arrive late,
# not lost (each run prints the receiver's line with its "lost" count).
#
# Run as root from the repository root:   bash bench/scripts/restart-outage.sh [RUNS] [exit|kill|both|restart|keeper-kill9|all]
# The fabric is published self-contained with ReadyToRun (its own and its libraries' code precompiled,
# what a deployment would run), so startup is not dominated by JIT.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
runs="${1:-5}"
kinds="${2:-both}"
case "$kinds" in exit) kinds="exit" ;; kill) kinds="kill" ;; both) kinds="exit kill" ;; restart) kinds="restart" ;; keeper-kill9) kinds="keeper-kill9" ;; all) kinds="exit kill restart keeper-kill9" ;; *) echo "kind must be exit, kill, both, restart, keeper-kill9 or all" >&2; exit 2 ;; esac
bash lab/ensure-packages.sh
id=$(printf '%04x' $((RANDOM % 65536)))
ns1="fob-a-$id"; ns2="fob-b-$id"; v1="fob1-$id"; v2="fob2-$id"
work="$(mktemp -d /tmp/fabric-outage.XXXXXX)"; sock="$work/fabric.ctl"; pid=""; keeper=""
cleanup() {
  set +e
  [ -n "$keeper" ] && kill -9 "$keeper" 2>/dev/null
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  ip netns del "$ns1" 2>/dev/null; ip netns del "$ns2" 2>/dev/null
  ip link del "$v1" 2>/dev/null; ip link del "$v2" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publishing fabric (Release, self-contained, ReadyToRun)"
dotnet publish src/Fabric.Host -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -o "$work/bin" -nologo -v q >/dev/null
fabric="$work/bin/fabric"
dotnet publish bench/Fabric.UdpStream -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/udp" -nologo -v q >/dev/null
udp="$work/udp/Fabric.UdpStream"

for i in 1 2; do
  ns="fob-$([ $i = 1 ] && echo a || echo b)-$id"; v="fob$i-$id"
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$v" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "02:0b:00:00:00:0$i"
  ip -n "$ns" addr add "10.98.0.$i/24" dev eth0
  ip -n "$ns" link set eth0 up; ip link set "$v" up
done
ip -n "$ns1" neigh replace 10.98.0.2 lladdr 02:0b:00:00:00:02 dev eth0 nud permanent
ip -n "$ns2" neigh replace 10.98.0.1 lladdr 02:0b:00:00:00:01 dev eth0 nud permanent
cat >"$work/fabric.conf" <<CONF
fabric { node-name = outage, state-dir = "$work/state", control.socket = "$sock"
  bridges = [ { name = br0, ports = [ { name = $v1 }, { name = $v2 } ] } ] }
CONF

start() {
  "$fabric" run --config "$work/fabric.conf" "$@" >>"$work/fabric.log" 2>&1 &
  pid=$!
  # Wait for the control socket with a shell test, not `fabric ctl`: starting a second .NET process here would
  # take CPU from the node being measured.
  for _ in $(seq 3000); do [ -S "$sock" ] && return 0; sleep 0.01; done
  echo "fabric did not start"; cat "$work/fabric.log"; exit 1
}

# The node under the keeper: its one child (a shell test again, no .NET process).
kept_node() {
  for _ in $(seq 3000); do
    local child; child=$(pgrep -P "$keeper" | head -n 1)
    [ -n "$child" ] && [ "$child" != "${1:-}" ] && { echo "$child"; return 0; }
    sleep 0.01
  done
  echo "the keeper started no node" >&2; cat "$work/fabric.log" >&2; exit 1
}

# Switches to a node under a keeper (once): the plain node exits, `fabric run --keeper` starts.
under_keeper() {
  [ -n "$keeper" ] && return 0
  "$fabric" ctl --socket "$sock" exit >/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  start --keeper
  keeper="$pid"; pid=$(kept_node)
  ip netns exec "$ns1" ping -q -c 20 -i 0.01 10.98.0.2 >/dev/null
}
start
ip netns exec "$ns1" ping -q -c 20 -i 0.01 10.98.0.2 >/dev/null

summary=()
for kind in $kinds; do
  gaps=(); lost=0
  [ "$kind" = keeper-kill9 ] && under_keeper
  for r in $(seq "$runs"); do
    ip netns exec "$ns2" "$udp" receive 5000 4 >"$work/udp.txt" 2>&1 &
    recv_pid=$!
    sleep 0.3
    ip netns exec "$ns1" "$udp" send 10.98.0.2 5000 1000 3000 &
    send_pid=$!
    sleep 0.7
    if [ "$kind" = restart ]; then
      out=$("$fabric" ctl --socket "$sock" --timeout 60 restart)
      old="$pid"; pid=$(sed -nE 's/^restarted: pid ([0-9]+).*/\1/p' <<<"$out")
      [ -n "$pid" ] || { echo "restart failed: $out"; exit 1; }
      while kill -0 "$old" 2>/dev/null; do sleep 0.001; done
    elif [ "$kind" = keeper-kill9 ]; then
      # The keeper notices, keeps the sockets, and starts the next node at once (it forwarded for over 1 s).
      taken=$(grep -c "took the kept ports over" "$work/fabric.log" || true)
      kill -9 "$pid"
      pid=$(kept_node "$pid")
      until [ "$(grep -c "took the kept ports over" "$work/fabric.log" || true)" -gt "$taken" ]; do sleep 0.01; done
    else
      if [ "$kind" = exit ]; then
        "$fabric" ctl --socket "$sock" exit >/dev/null
      else
        kill -9 "$pid"
      fi
      while kill -0 "$pid" 2>/dev/null; do sleep 0.001; done
      rm -f "$sock"
      start
    fi
    wait "$send_pid" || true
    wait "$recv_pid" || true
    gap=$(sed -nE 's/.*longest gap ([0-9.]+) ms.*/\1/p' "$work/udp.txt")
    received=$(sed -nE 's/^received ([0-9]+),.*/\1/p' "$work/udp.txt")
    echo "$kind run $r: outage ${gap} ms ($(cat "$work/udp.txt"))"
    gaps+=("$gap"); lost=$((lost + 3000 - ${received:-0}))
  done
  median=$(printf '%s\n' "${gaps[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  summary+=("median restart outage ($kind + start): ${median} ms over $runs runs, $lost of $((runs * 3000)) datagrams lost")
done
grep -E "startup:|forwarding .* ms after process start" "$work/fabric.log" | tail -n 4
if [ -n "$keeper" ]; then
  grep -E "no reader for" "$work/fabric.log" | tail -n 1 || true
  echo "keeper pid $keeper: $(grep -E 'VmRSS|Threads' "/proc/$keeper/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
fi
printf '%s\n' "${summary[@]}"
