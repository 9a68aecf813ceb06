#!/usr/bin/env bash
# Installs the system packages berth drives (only those missing), and a docker CLI for the tests if none is present.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v docker >/dev/null 2>&1 && [ ! -x /usr/local/bin/docker ]; then
  missing+=(docker.io)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
modprobe overlay 2>/dev/null || true
