#!/usr/bin/env bash
# The README's run command: installs what is missing, builds if needed, and runs one node in
# the foreground (Ctrl-C stops it), with its keys, config and data under ./data (or $GARAGE_DATA).
# For now the node answers `garage status`; the S3 endpoint comes with the S3 work.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

data=${GARAGE_DATA:-$PWD/data}
port=${GARAGE_RPC_PORT:-3901}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target garage

scripts/genkeys.sh "$data/keys" node1 >/dev/null
config="$data/garage.toml"
if [ ! -f "$config" ]; then
  cat > "$config" <<TOML
# Written by scripts/run.sh; edit freely (see README.md for every key).
metadata_dir = "$data/meta"
data_dir = "$data/data"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$port"
bootstrap_peers = []

[rpc_tls]
ca_cert = "$data/keys/ca.crt"
node_cert = "$data/keys/node1.crt"
node_key = "$data/keys/node1.key"
cli_cert = "$data/keys/cli.crt"
cli_key = "$data/keys/cli.key"
TOML
fi

echo "garage: config $config"
echo "garage: node id $(build/garage -c "$config" node id)"
echo "garage: in another terminal:  build/garage -c $config status"
exec build/garage -c "$config" server
