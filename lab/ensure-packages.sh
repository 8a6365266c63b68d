#!/usr/bin/env bash
# Installs the Debian packages the lab needs (and, with --tests, what the tests need too) when they are
# missing. Needs root (apt-get). Safe to run repeatedly.
#   lab:     iproute2 (ip netns, veth), iputils-ping, ethtool (offloads off on veths)
#   --tests: also iperf3, tcpdump, postgresql (the journal tests start a throwaway server on 127.0.0.1)
set -euo pipefail
need=()
command -v ip       >/dev/null 2>&1 || need+=(iproute2)
command -v ping     >/dev/null 2>&1 || need+=(iputils-ping)
command -v ethtool  >/dev/null 2>&1 || need+=(ethtool)
if [ "${1:-}" = "--tests" ]; then
  command -v iperf3  >/dev/null 2>&1 || need+=(iperf3)
  command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
