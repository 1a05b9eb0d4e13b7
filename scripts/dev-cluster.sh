#!/usr/bin/env bash
# A 3-node development cluster on 127.0.0.1 (ports 3911-3913), state under ./.dev-cluster.
#   scripts/dev-cluster.sh start     build if needed, start the three nodes in the background
#   scripts/dev-cluster.sh status    garage status, as seen from node 1
#   scripts/dev-cluster.sh stop      stop them
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$PWD/.dev-cluster
cmd=${1:-start}

case "$cmd" in
  start)
    scripts/install-deps.sh
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build --target garage
    scripts/genkeys.sh "$dir/keys" node1 node2 node3 >/dev/null
    for i in 1 2 3; do
      mkdir -p "$dir/node$i"
      cat > "$dir/node$i/garage.toml" <<TOML
metadata_dir = "$dir/node$i/meta"
data_dir = "$dir/node$i/data"
rpc_bind_addr = "127.0.0.1:$((3910 + i))"
bootstrap_peers = ["127.0.0.1:3911"]
zone = "dc$i"
[rpc_tls]
ca_cert = "$dir/keys/ca.crt"
node_cert = "$dir/keys/node$i.crt"
node_key = "$dir/keys/node$i.key"
cli_cert = "$dir/keys/cli.crt"
cli_key = "$dir/keys/cli.key"
TOML
      build/garage -c "$dir/node$i/garage.toml" server >>"$dir/node$i.log" 2>&1 &
      echo $! > "$dir/node$i.pid"
    done
    sleep 3
    build/garage -c "$dir/node1/garage.toml" status
    ;;
  status) build/garage -c "$dir/node1/garage.toml" status ;;
  stop)
    for i in 1 2 3; do
      [ -f "$dir/node$i.pid" ] && kill "$(cat "$dir/node$i.pid")" 2>/dev/null || true
      rm -f "$dir/node$i.pid"
    done
    ;;
  *) echo "usage: $0 start|status|stop" >&2; exit 2 ;;
esac
