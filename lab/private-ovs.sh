# Sourced by lab/bond.sh and bench/scripts/ovs-restart-outage.sh: a private Open vSwitch — its own database,
# sockets and logs under $ovs_dir, never the system's — started and stopped by PID.
#   ovs_dir=DIR; source lab/private-ovs.sh; ovs_start [NETNS]; vsctl ...; appctl ...; ovs_start_vswitchd [NETNS]; ovs_stop
# ovs_start_vswitchd on its own restarts ovs-vswitchd after `appctl exit`.
export OVS_RUNDIR="$ovs_dir" OVS_DBDIR="$ovs_dir" OVS_LOGDIR="$ovs_dir" OVS_SYSCONFDIR="$ovs_dir"
ovsdb_pid=""; vswitchd_pid=""
vsctl() { ovs-vsctl --db="unix:$ovs_dir/db.sock" --timeout=30 "$@"; }
appctl() { ovs-appctl -t "$ovs_dir/ovs-vswitchd.ctl" --timeout=30 "$@"; }

ovs_start_vswitchd() { # [netns]
  local run=()
  [ -n "${1:-}" ] && run=(ip netns exec "$1")
  rm -f "$ovs_dir/ovs-vswitchd.ctl"
  "${run[@]}" ovs-vswitchd "unix:$ovs_dir/db.sock" --pidfile="$ovs_dir/ovs-vswitchd.pid" \
    --unixctl="$ovs_dir/ovs-vswitchd.ctl" --log-file="$ovs_dir/ovs-vswitchd.log" --no-chdir >/dev/null 2>&1 &
  vswitchd_pid=$!
  for _ in $(seq 3000); do [ -S "$ovs_dir/ovs-vswitchd.ctl" ] && return 0; sleep 0.01; done
  echo "ovs-vswitchd did not start" >&2; return 1
}

ovs_start() { # [netns for ovs-vswitchd]
  mkdir -p "$ovs_dir"
  ovsdb-tool create "$ovs_dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  ovsdb-server "$ovs_dir/conf.db" --remote="punix:$ovs_dir/db.sock" --pidfile="$ovs_dir/ovsdb-server.pid" \
    --unixctl="$ovs_dir/ovsdb-server.ctl" --log-file="$ovs_dir/ovsdb-server.log" --no-chdir >/dev/null 2>&1 &
  ovsdb_pid=$!
  for _ in $(seq 100); do [ -S "$ovs_dir/db.sock" ] && break; sleep 0.05; done
  ovs-vsctl --db="unix:$ovs_dir/db.sock" --no-wait init
  ovs_start_vswitchd "${1:-}"
}

ovs_stop() {
  local pid
  for pid in "$vswitchd_pid" "$ovsdb_pid"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
}
