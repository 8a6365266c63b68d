#!/usr/bin/env bash
# Side by side: the same two hosts (network namespaces) joined through a switch by veth pairs, and the same
# measurements through each of
#   bridge  the Linux bridge
#   ovs     Open vSwitch 3.1 userspace (netdev datapath, NORMAL), a private ovsdb-server/ovs-vswitchd
#   bare    bench/Fabric.BareForwarder: two AF_PACKET sockets, frames copied across with blocking recv/send (no lookup)
#   fabric  `fabric run --config FILE` with one bridge of two AF_PACKET ports
#   fabric2 the same at poll-threads = 2: one poll thread per port, as the bare forwarder has one thread per direction
# each with offloads off (ethtool -K tx/tso/gso/gro off on every veth end; Fabric vnet-headers = off, OVS without
# userspace TSO, the bare forwarder without PACKET_VNET_HDR) and on (the kernel's veth defaults; Fabric vnet-headers =
# on, OVS other_config:userspace-tso-enable=true, the bare forwarder with PACKET_VNET_HDR), plus
#   fabric-mt  Fabric with two independent TCP streams (two host pairs, four ports) at poll-threads = 1 and 2.
# Rounds are interleaved (round 1: every case; round 2: every case; ...) so that the machine's load drifts over all of
# them alike. Per case and round:
#   TCP Gbit/s, retransmits   iperf3 A -> B for a few seconds (after a 1 s warm-up that is not counted)
#   UDP kfps                  `bare-forwarder blast` (sendmmsg, 256 datagrams a call; iperf3 -u -l 64 -b 0 sends
#                             ≈ 20 % fewer here) blasting A -> B; frames of 64-byte payload (106-byte frames)
#                             delivered per second, from the rx_packets delta of B's eth0 over the middle of the blast
#   ping µs                   median RTT of N pings A -> B, 10 ms apart
#   first-packet µs           median and max over N single pings, each after flushing the switch's MAC table and
#                             datapath flows (bridge: fdb_flush; OVS: fdb/flush + dpctl/del-flows; Fabric: fdb/flush +
#                             dpctl/del-flows, the `fabric ctl` commands, sent on its control socket); static ARP
#                             entries, so the ping is the first frame; n/a for the bare forwarder (nothing to flush)
#   SO_RCVBUF / SO_SNDBUF     of the switch's AF_PACKET sockets, from `ss -0 -m -p` (skmem rb/tb: the kernel's values,
#                             twice what setsockopt asked for); the Linux bridge has no socket
# Prints one markdown table of medians over the rounds; the raw per-round values go to the log file.
#
# Everything runs in namespaces the script creates (names end in its PID): the hosts, and a switch namespace holding
# the switch's veth ends, the Linux bridge, ovs-vswitchd (so its TAP devices stay out of the host namespace) and the
# Fabric and bare-forwarder processes. Traffic flows only between those namespaces. A trap removes it all, on failure
# too. The Release binaries are built with dotnet build unless given.
#
# Run as root from anywhere:
#   bash bench/scripts/l2-side-by-side.sh [--rounds N] [--quick] [--only bridge,ovs,bare,fabric,fabric2,fabric-mt]
#                                         [--fabric PATH-TO-fabric] [--bare PATH-TO-bare-forwarder] [--log FILE]
# --rounds N (default 3); --quick: 2 s tests, 20 pings, 5 first packets (defaults 3 s, 50, 10). The defaults took
# 10 minutes with the builds (8 min measuring) on the 2-core VM at load 20-30; `--quick --rounds 1` about 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "l2-side-by-side.sh: run as root (it creates network namespaces)" >&2; exit 2; }

usage() { sed -n '/^# Run as root/,/^# 10 minutes/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
rounds=3; quick=0; only="bridge,ovs,bare,fabric,fabric2,fabric-mt"; fabric=""; bare=""
log="/tmp/l2-side-by-side-$(date -u +%Y%m%d-%H%M%S)-$$.log"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; rounds="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --only) [ -n "${2:-}" ] || usage; only="$2"; shift 2 ;;
    --fabric) [ -x "${2:-}" ] || { echo "--fabric: '${2:-}' is not an executable" >&2; exit 2; }; fabric="$(realpath "$2")"; shift 2 ;;
    --bare) [ -x "${2:-}" ] || { echo "--bare: '${2:-}' is not an executable" >&2; exit 2; }; bare="$(realpath "$2")"; shift 2 ;;
    --log) [ -n "${2:-}" ] || usage; log="$(realpath -m "$2")"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument '$1'" >&2; usage ;;
  esac
done
switches=()
for s in ${only//,/ }; do
  case "$s" in bridge|ovs|bare|fabric|fabric2|fabric-mt) switches+=("$s") ;; *) echo "--only: unknown switch '$s' (bridge, ovs, bare, fabric, fabric2, fabric-mt)" >&2; exit 2 ;; esac
done
has() { [[ " ${switches[*]} " == *" $1 "* ]]; }
if [ "$quick" = 1 ]; then test_s=2; ping_n=20; first_n=5; else test_s=3; ping_n=50; first_n=10; fi

if has ovs; then bash lab/ensure-packages.sh --ovs; else bash lab/ensure-packages.sh; fi
missing=()
command -v iperf3 >/dev/null 2>&1 || missing+=(iperf3)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

id=$$
nsS="l2s-sw-$id"; nsA="l2s-a-$id"; nsB="l2s-b-$id"; nsC="l2s-c-$id"; nsD="l2s-d-$id"
hosts=("$nsA" "$nsB" "$nsC" "$nsD")
work="$(mktemp -d /tmp/l2-side-by-side.XXXXXX)"
results="$work/results.tsv"; : >"$results"
ovs_dir="$work/ovs"
source lab/private-ovs.sh
pids=()       # iperf3 servers and the switch process of the running case, stopped by PID
switch_pid="" # the bare forwarder's or Fabric's process
fabric_sock="$work/fabric.ctl"

stop_pids() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  set +e
  stop_pids
  ovs_stop
  for ns in "$nsS" "${hosts[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$log" >&2; }
: >"$log"
say "l2-side-by-side: $(date -u '+%F %T') UTC, rounds $rounds, quick $quick, switches ${switches[*]}, log $log"
say "kernel $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

if has fabric || has fabric2 || has fabric-mt; then
  if [ -z "$fabric" ]; then
    say "== building fabric (dotnet build -c Release)"
    dotnet build src/Fabric.Host -c Release -nologo -v q -o "$work/fabric-bin" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
    fabric="$work/fabric-bin/fabric"
  fi
  say "fabric: $fabric ($(git log -1 --format='%h %s' 2>/dev/null | cut -c1-80))"
fi
if [ -z "$bare" ]; then   # the bare forwarder, and the UDP sender of every case (bare-forwarder blast)
  say "== building the bare forwarder (dotnet build -c Release)"
  dotnet build bench/Fabric.BareForwarder -c Release -nologo -v q -o "$work/bare-bin" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  bare="$work/bare-bin/bare-forwarder"
fi
say "bare forwarder and UDP sender: $bare"
has ovs && say "ovs: $(ovs-vswitchd --version | head -n 1)"

for ns in "$nsS" "${hosts[@]}"; do
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done

# Host i (1..4) is hosts[i-1], eth0 10.93.0.i with MAC 02:93:00:00:00:0i, cabled to port p<i> in the switch namespace.
# Streams: host 1 -> host 2, and (fabric-mt) host 3 -> host 4; each pair has static ARP entries for the other.
attach_hosts() { # count offloads(on|off)
  local i ns
  for i in $(seq "$1"); do
    ns="${hosts[$((i - 1))]}"
    ip -n "$nsS" link add "p$i" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "02:93:00:00:00:0$i"
    ip -n "$ns" addr add "10.93.0.$i/24" dev eth0
    if [ "$2" = off ]; then
      ip netns exec "$nsS" ethtool -K "p$i" tx off tso off gso off gro off >/dev/null 2>&1
      ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1
    fi
    ip -n "$ns" link set eth0 up; ip -n "$nsS" link set "p$i" up
  done
  for i in $(seq 1 2 "$1"); do
    ip -n "${hosts[$((i - 1))]}" neigh replace "10.93.0.$((i + 1))" lladdr "02:93:00:00:00:0$((i + 1))" dev eth0 nud permanent
    ip -n "${hosts[$i]}" neigh replace "10.93.0.$i" lladdr "02:93:00:00:00:0$i" dev eth0 nud permanent
  done
}
detach_hosts() { # count
  local i
  for i in $(seq "$1"); do ip -n "$nsS" link del "p$i" 2>/dev/null || true; done
}

# --- the switches: start KIND OFFLOADS PORTS [POLL-THREADS], flush KIND, stop KIND ---
ovs_started=0
start_switch() {
  local kind="$1" mode="$2" ports="$3" threads="${4:-1}" i
  case "$kind" in
    bridge)
      ip -n "$nsS" link add br0 type bridge
      for i in $(seq "$ports"); do ip -n "$nsS" link set "p$i" master br0; done
      ip -n "$nsS" link set br0 up ;;
    ovs)
      if [ "$ovs_started" = 0 ]; then
        ovs_start "$nsS"; ovs_started=1          # the database for the whole run; ovs-vswitchd runs only per case
        appctl exit >/dev/null; wait "$vswitchd_pid" 2>/dev/null || true
      fi
      # userspace-tso-enable is read once, when ovs-vswitchd starts (OVS 3.1): set it first.
      vsctl --no-wait set Open_vSwitch . "other_config:userspace-tso-enable=$([ "$mode" = on ] && echo true || echo false)"
      ovs_start_vswitchd "$nsS"
      local add=(add-br br0 -- set bridge br0 datapath_type=netdev)
      for i in $(seq "$ports"); do add+=(-- add-port br0 "p$i"); done
      vsctl "${add[@]}" ;;
    bare)
      local vnet=(); [ "$mode" = on ] && vnet=(--vnet-headers)
      ip netns exec "$nsS" "$bare" p1 p2 "${vnet[@]}" >"$work/bare.log" 2>&1 &
      switch_pid=$!; pids+=("$switch_pid")
      for _ in $(seq 200); do [ -s "$work/bare.log" ] && break; sleep 0.05; done
      cat "$work/bare.log" >>"$log" ;;
    fabric)
      # Port order p1, p3, p2, p4: the datapath gives each new port to the least-loaded poll thread, so with two
      # threads p1 and p2 (stream 1) share thread 0 and p3 and p4 (stream 2) thread 1.
      local list="{ name = p1 }"
      [ "$ports" = 4 ] && list="{ name = p1 }, { name = p3 }, { name = p2 }, { name = p4 }"
      [ "$ports" = 2 ] && list="{ name = p1 }, { name = p2 }"
      rm -rf "$work/fabric-state"; rm -f "$fabric_sock"
      cat >"$work/fabric.conf" <<CONF
fabric {
  node-name = l2s
  state-dir = "$work/fabric-state"
  control.socket = "$fabric_sock"
  datapath { vnet-headers = $mode, poll-threads = $threads }
  bridges = [ { name = br0, ports = [ $list ] } ]
}
CONF
      ip netns exec "$nsS" "$fabric" run --config "$work/fabric.conf" >"$work/fabric.log" 2>&1 &
      switch_pid=$!; pids+=("$switch_pid")
      for _ in $(seq 600); do [ -S "$fabric_sock" ] && break; kill -0 "$switch_pid" 2>/dev/null || break; sleep 0.05; done
      [ -S "$fabric_sock" ] || { say "fabric did not start:"; tail -n 20 "$work/fabric.log" | tee -a "$log" >&2; return 1; } ;;
  esac
}
flush_switch() {
  case "$1" in
    bridge) ip -n "$nsS" link set br0 type bridge fdb_flush ;;
    ovs) appctl fdb/flush br0 >/dev/null; appctl dpctl/del-flows >/dev/null ;;
    fabric) fabric_ctl fdb/flush br0 -- dpctl/del-flows >/dev/null ;;
  esac
}
stop_switch() {
  case "$1" in
    bridge) ip -n "$nsS" link del br0 ;;
    ovs) vsctl --if-exists del-br br0; appctl exit >/dev/null 2>&1 || true; wait "$vswitchd_pid" 2>/dev/null || true ;;
  esac
  stop_pids
}
# `fabric ctl CMD ARGS -- CMD ARGS ...` without starting a .NET process per command: the same requests on one
# connection to the control socket (line-delimited JSON, Fabric.Host/Control/ControlProtocol.cs). Fails on an error reply.
fabric_ctl() {
  python3 - "$fabric_sock" "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); f = s.makefile("rwb")
words, commands = sys.argv[2:], [[]]
for w in words:
    if w == "--": commands.append([])
    else: commands[-1].append(w)
for c in commands:
    f.write((json.dumps({"command": c[0], "args": c[1:]}) + "\n").encode()); f.flush()
    reply = json.loads(f.readline())
    print(reply["output"])
    if reply["status"] != 0: sys.exit(f"fabric ctl {' '.join(c)}: {reply['output']}")
PY
}
switch_diag() { # kind: datapath counters for the log (misses confirm that first packets went to the slow path)
  case "$1" in
    ovs) appctl dpctl/show 2>/dev/null | grep -E 'lookups|flows' ;;
    fabric) fabric_ctl dpctl/show 2>/dev/null | grep -E 'lookups|flows' ;;
  esac
}
poll_cpu() { # Fabric's poll threads: "NAME TICKS" (user + system CPU time in clock ticks, /proc/PID/task/TID/stat)
  local t
  for t in /proc/"$switch_pid"/task/*; do
    [[ "$(cat "$t/comm" 2>/dev/null)" == fabric-poll* ]] || continue
    echo "$(cat "$t/comm") $(sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }')"
  done
}

# --- the measurements ---
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }   # case round metric value
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# "GEN0 GEN1 GEN2 PAUSED-MS" from Fabric's memory/show.
gc_of() { sed -nE 's/^collections: gen0 ([0-9]+), gen1 ([0-9]+), gen2 ([0-9]+); paused ([0-9.]+) ms.*/\1 \2 \3 \4/p'; }
rtts_us() { sed -nE 's/.* time=([0-9.]+) ms.*/\1/p' | awk '{ printf "%.0f\n", $1 * 1000 }'; }
rx_packets() { ip netns exec "$1" cat /sys/class/net/eth0/statistics/rx_packets; }
start_server() { # ns port
  ip netns exec "$1" iperf3 -s -p "$2" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do ip netns exec "$1" ss -ltn "sport = :$2" | grep -q LISTEN && return 0; sleep 0.05; done
  say "iperf3 server in $1 did not start"; return 1
}
connected() { # from-ns to-ip
  for _ in $(seq 100); do ip netns exec "$1" ping -c 1 -W 0.2 -n "$2" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
tcp_json() { # from-ns to-ip port seconds out
  ip netns exec "$1" iperf3 -c "$2" -p "$3" -t "$4" -J >"$5" 2>&1 || true
}
gbps() { jq -r '(.end.sum_received.bits_per_second // empty) / 1e9 | . * 100 | round / 100' "$1" 2>/dev/null || true; }
retrans() { jq -r '.end.sum_sent.retransmits // empty' "$1" 2>/dev/null || true; }
socket_buffers() { # the switch namespace's AF_PACKET sockets: "rcv R KiB / snd S KiB (ports)" per distinct pair
  ip netns exec "$nsS" ss -0 -m -p -n 2>/dev/null | python3 -c '
import re, sys
groups = {}
for line in sys.stdin:
    m = re.search(r"\*:(\S+).*skmem:\(r\d+,rb(\d+),t\d+,tb(\d+)", line)
    if m: groups.setdefault((int(m.group(2)) // 1024, int(m.group(3)) // 1024), set()).add(m.group(1))
print("; ".join("%d / %d KiB (%s)" % (r, s, " ".join(sorted(p))) for (r, s), p in sorted(groups.items())) or "no socket")'
}

run_case() { # round kind offloads
  local round="$1" kind="$2" mode="$3" case="$2 $3" j="$work/iperf.json"
  # fabric2: Fabric with one poll thread per port, as the bare forwarder has one thread per direction.
  local sw="$kind" threads=1; [ "$kind" = fabric2 ] && { sw=fabric; threads=2; }
  say "-- round $round: $kind, offloads $mode (load $(cut -d' ' -f1 /proc/loadavg))"
  attach_hosts 2 "$mode"
  if ! start_switch "$sw" "$mode" 2 "$threads" || ! connected "$nsA" 10.93.0.2; then
    say "   $case: no connectivity, skipped"; stop_switch "$sw" || true; detach_hosts 2; return 0
  fi
  start_server "$nsB" 5201
  tcp_json "$nsA" 10.93.0.2 5201 1 "$j"                      # warm-up (JIT, caches, flows), not counted
  tcp_json "$nsA" 10.93.0.2 5201 "$test_s" "$j"
  local g r; g=$(gbps "$j"); r=$(retrans "$j")
  [ -n "$g" ] || { say "   iperf3 TCP failed: $(head -c 300 "$j")"; g=NA; r=NA; }
  record "$case" "$round" tcp "$g"; record "$case" "$round" retr "$r"

  # Port 9 (discard): nothing listens, the receiver's kernel drops each datagram after eth0 counted it.
  ip netns exec "$nsA" "$bare" blast 10.93.0.2 9 $((test_s + 1)) 64 >"$work/udp.txt" 2>&1 &
  local udp=$!
  sleep 0.5
  local t0 t1 n0 n1
  n0=$(rx_packets "$nsB"); t0=$(date +%s.%N)
  sleep "$test_s"
  n1=$(rx_packets "$nsB"); t1=$(date +%s.%N)
  wait "$udp" || true
  local kfps; kfps=$(awk -v a="$n0" -v b="$n1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", (b - a) / (e - s) / 1000 }')
  record "$case" "$round" udp_kfps "$kfps"
  echo "   UDP sender: $(cat "$work/udp.txt")" >>"$log"
  sleep 0.5                                                    # let the queues drain before timing pings

  local ping; ping=$( (ip netns exec "$nsA" ping -c "$ping_n" -i 0.01 -W 1 -n 10.93.0.2 2>/dev/null || true) | rtts_us | median)
  record "$case" "$round" ping_us "$ping"

  local fp_med=n/a fp_max=n/a fp_lost=0
  if [ "$kind" != bare ]; then
    local samples=() gcs=() t g0 g1
    for _ in $(seq "$first_n"); do
      # Fabric: its collections and pause time (memory/show) just before and after each ping go to the log, so a slow
      # first packet can be matched with a collection that paused the poll threads.
      g0=""
      if [ "$sw" = fabric ]; then g0=$(fabric_ctl fdb/flush br0 -- dpctl/del-flows -- memory/show 2>/dev/null | gc_of || true); fi
      [ "$sw" = fabric ] && [ -n "$g0" ] || flush_switch "$sw"
      t=$(ip netns exec "$nsA" ping -c 1 -W 1 -n 10.93.0.2 2>/dev/null | rtts_us || true)
      if [ -n "$t" ]; then samples+=("$t"); else fp_lost=$((fp_lost + 1)); fi
      if [ -n "$g0" ]; then
        g1=$(fabric_ctl memory/show 2>/dev/null | gc_of || true)
        [ -n "$g1" ] && gcs+=("$(awk -v a="$g0" -v b="$g1" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%d/%d/%d:%.1fms", y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4] }')")
      fi
    done
    if [ ${#samples[@]} -gt 0 ]; then
      fp_med=$(printf '%s\n' "${samples[@]}" | median); fp_max=$(printf '%s\n' "${samples[@]}" | sort -g | tail -n 1)
    fi
    echo "   first-packet samples (µs): ${samples[*]:-} lost $fp_lost" >>"$log"
    [ ${#gcs[@]} -gt 0 ] && echo "   collections during each (gen0/gen1/gen2 count: ms paused): ${gcs[*]}" >>"$log"
  fi
  record "$case" "$round" first_med "$fp_med"; record "$case" "$round" first_max "$fp_max"
  local bufs="in kernel, no socket"; [ "$kind" != bridge ] && bufs=$(socket_buffers)
  record "$case" "$round" buffers "$bufs"
  switch_diag "$sw" | sed 's/^/   /' >>"$log" || true
  local fp="first packet n/a"; [ "$kind" != bare ] && fp="first packet ${fp_med}/${fp_max} µs (median/max, $fp_lost lost)"
  say "   TCP $g Gbit/s ($r retr), UDP ${kfps}k frames/s, ping ${ping} µs, $fp; buffers $bufs"
  stop_switch "$sw"
  detach_hosts 2
}

run_mt_case() { # round poll-threads offloads: two TCP streams at once, host 1 -> 2 and host 3 -> 4, through one fabric
  local round="$1" threads="$2" mode="$3" case="fabric-mt$2 $3"
  say "-- round $round: fabric, 2 streams, poll-threads $threads, offloads $mode (load $(cut -d' ' -f1 /proc/loadavg))"
  attach_hosts 4 "$mode"
  if ! start_switch fabric "$mode" 4 "$threads" || ! connected "$nsA" 10.93.0.2 || ! connected "$nsC" 10.93.0.4; then
    say "   $case: no connectivity, skipped"; stop_switch fabric || true; detach_hosts 4; return 0
  fi
  start_server "$nsB" 5201; start_server "$nsD" 5202
  tcp_json "$nsA" 10.93.0.2 5201 1 "$work/w1.json" &
  local warm=$!
  tcp_json "$nsC" 10.93.0.4 5202 1 "$work/w2.json"
  wait "$warm" || true
  poll_cpu >"$work/cpu0"
  tcp_json "$nsA" 10.93.0.2 5201 "$test_s" "$work/s1.json" &
  local first=$!
  tcp_json "$nsC" 10.93.0.4 5202 "$test_s" "$work/s2.json"
  wait "$first" || true
  poll_cpu >"$work/cpu1"
  echo "   poll-thread CPU during the streams (s): $(join "$work/cpu0" "$work/cpu1" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%s %.2f  ", $1, ($3 - $2) / hz }')" >>"$log"
  local g1 g2 r1 r2 g r
  g1=$(gbps "$work/s1.json"); g2=$(gbps "$work/s2.json"); r1=$(retrans "$work/s1.json"); r2=$(retrans "$work/s2.json")
  if [ -n "$g1" ] && [ -n "$g2" ]; then
    g=$(awk -v a="$g1" -v b="$g2" 'BEGIN { printf "%.2f", a + b }'); r=$((r1 + r2))
  else
    say "   iperf3 TCP failed: $(head -c 300 "$work/s1.json") $(head -c 300 "$work/s2.json")"; g=NA; r=NA
  fi
  record "$case" "$round" tcp "$g"; record "$case" "$round" retr "$r"
  record "$case" "$round" buffers "$(socket_buffers)"
  switch_diag fabric | sed 's/^/   /' >>"$log" || true
  say "   TCP $g Gbit/s aggregate ($g1 + $g2), $r retr"
  stop_switch fabric
  detach_hosts 4
}

started=$(date +%s)
for round in $(seq "$rounds"); do
  for kind in "${switches[@]}"; do
    for mode in off on; do
      if [ "$kind" = fabric-mt ]; then
        run_mt_case "$round" 1 "$mode"; run_mt_case "$round" 2 "$mode"
      else
        run_case "$round" "$kind" "$mode"
      fi
    done
  done
done
say "measured in $(( $(date +%s) - started )) s"

{ echo; echo "raw values (case, round, metric, value):"; cat "$results"; } >>"$log"
python3 - "$results" "$rounds" "$test_s" "$ping_n" "$first_n" <<'PY' | tee -a "$log"
import statistics, sys
path, rounds, test_s, ping_n, first_n = sys.argv[1:]
values, order = {}, []
for line in open(path, encoding="utf-8"):
    case, _, metric, value = line.rstrip("\n").split("\t")
    if case not in order: order.append(case)
    values.setdefault((case, metric), []).append(value)
names = {"bridge": "Linux bridge", "ovs": "OVS 3.1 userspace (netdev)", "bare": "bare AF_PACKET forwarder", "fabric": "Fabric",
         "fabric2": "Fabric, poll-threads = 2",
         "fabric-mt1": "Fabric, 2 streams, poll-threads = 1", "fabric-mt2": "Fabric, 2 streams, poll-threads = 2"}
def med(case, metric, digits=0):
    v = values.get((case, metric))
    if not v: return "–"
    nums = [float(x) for x in v if x not in ("NA", "n/a")]
    if not nums: return "n/a" if "n/a" in v else "NA"
    m = statistics.median(nums)
    return f"{m:.{digits}f}" if digits else f"{m:,.0f}"
print()
print(f"Medians over {rounds} interleaved round(s); TCP {test_s} s per run; ping: median of {ping_n}; first packet: "
      f"median and max of {first_n} (each after a flush of MAC table and flows); UDP: 64-byte payloads, thousand frames/s "
      "delivered at the receiver; buffers: rb / tb of the switch's AF_PACKET sockets as ss reports them (KiB).")
print()
print("| switch | offloads | TCP Gbit/s | TCP retr | UDP kframes/s | ping µs | first packet µs (median) | first packet µs (max) | SO_RCVBUF / SO_SNDBUF |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
for case in order:
    kind, mode = case.split(" ")
    bufs = values.get((case, "buffers"), ["–"])[0]
    print(f"| {names.get(kind, kind)} | {mode} | {med(case, 'tcp', 2)} | {med(case, 'retr')} | {med(case, 'udp_kfps')} | "
          f"{med(case, 'ping_us')} | {med(case, 'first_med')} | {med(case, 'first_max')} | {bufs} |")
PY
say "raw per-round values: $log"
