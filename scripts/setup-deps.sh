#!/usr/bin/env bash
# Installs Sluice's build and test dependencies from Debian 12's packages.
# Safe to run repeatedly: packages already present are left alone.
set -euo pipefail
PKGS=(build-essential cmake pkg-config
      nlohmann-json3-dev libyaml-cpp-dev libsqlite3-dev libuv1-dev libspdlog-dev
      libcli11-dev libssl-dev libhowardhinnant-date-dev libcurl4-openssl-dev
      libhttp-parser-dev
      libgtest-dev libgmock-dev libbenchmark-dev
      python3-boto3 awscli)  # the `sluice serve` end-to-end tests drive it with AWS clients
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
