#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the scripts need.
# Idempotent and non-interactive; prints nothing when everything is already there.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git openssl procps gawk
  clang-format   # tests/check_format.sh
  libboost-dev libssl-dev librocksdb-dev libtomlplusplus-dev libabsl-dev
  libgtest-dev libgmock-dev librapidcheck-dev libpugixml-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libzstd-dev
  clang libclang-rt-14-dev   # libFuzzer for scripts/fuzz.sh
  awscli python3-boto3 python3-requests s3cmd rclone nodejs curl   # the real S3 clients of tests/s3_clients_test.sh
  chromium   # the real browser of tests/clients/browser_test.py (headless)
)
# npm ships inside some Node.js builds (NodeSource's); Debian packages it apart.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
