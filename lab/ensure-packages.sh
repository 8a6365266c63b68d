#!/usr/bin/env bash
# Installs the Debian packages the lab and the real-kernel tests use, when they are missing.
# Needs root (apt-get). Safe to run repeatedly.
set -euo pipefail
need=()
command -v ip       >/dev/null 2>&1 || need+=(iproute2)
command -v ping     >/dev/null 2>&1 || need+=(iputils-ping)
command -v ethtool  >/dev/null 2>&1 || need+=(ethtool)
command -v iperf3   >/dev/null 2>&1 || need+=(iperf3)
command -v tcpdump  >/dev/null 2>&1 || need+=(tcpdump)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
