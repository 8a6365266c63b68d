#!/usr/bin/env bash
# Installs the Debian packages the lab needs (and, with --tests, what the tests need too) when they are
# missing. Needs root (apt-get). Safe to run repeatedly.
#   lab:     iproute2 (ip netns, veth), iputils-ping, ethtool (lab/bond.sh turns offloads off on the links to OVS)
#   --ovs:   also openvswitch-switch (lab/bond.sh runs a private OVS as the bond's LACP partner)
#   --cluster: also tcpdump (lab/cluster.sh shows the VXLAN packets on the underlay)
#   --tests: also iperf3, tcpdump, postgresql (the journal tests start a throwaway server on 127.0.0.1),
#            openvswitch-switch (the Ovs tests run a private ovsdb-server/ovs-vswitchd as an oracle and LACP
#            partner). OVS is installed with service starts refused (a temporary policy-rc.d, unless the
#            machine already has one), so no system OVS is left running; the tests never use the system's
#            OVS anyway (their own database, sockets and logs in a temporary directory).
set -euo pipefail
need=()
ovs=()
command -v ip       >/dev/null 2>&1 || need+=(iproute2)
command -v ping     >/dev/null 2>&1 || need+=(iputils-ping)
command -v ethtool  >/dev/null 2>&1 || need+=(ethtool)
if [ "${1:-}" = "--ovs" ]; then
  command -v ovs-vswitchd >/dev/null 2>&1 || ovs+=(openvswitch-switch)
fi
if [ "${1:-}" = "--cluster" ]; then
  command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
fi
if [ "${1:-}" = "--tests" ]; then
  command -v iperf3  >/dev/null 2>&1 || need+=(iperf3)
  command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v ovs-vswitchd >/dev/null 2>&1 || ovs+=(openvswitch-switch)
fi
if [ ${#need[@]} -gt 0 ] || [ ${#ovs[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ${#ovs[@]} -gt 0 ]; then
  echo "installing: ${ovs[*]} (service start refused)" >&2
  # openvswitch-switch's postinst starts the service through invoke-rc.d / deb-systemd-invoke; both ask
  # policy-rc.d first, and exit code 101 means "action forbidden". Docker images already ship such a file.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${ovs[@]}" >/dev/null
  if [ -e /var/run/openvswitch/db.sock ] || [ -e /var/run/openvswitch/ovs-vswitchd.pid ]; then
    echo "note: a system Open vSwitch is running; the tests leave it alone (they use private sockets)" >&2
  fi
fi
