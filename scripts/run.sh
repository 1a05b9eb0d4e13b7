#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs one node in the
# foreground (Ctrl-C stops it) with a working S3 endpoint: replication factor 1, RocksDB
# metadata and block files under ./data (or $GARAGE_DATA), a layout applied, a bucket and an
# access key created on first start and reused afterwards. Before serving it prints `export`
# lines for the AWS CLI and SDKs, also written to $GARAGE_DATA/env.
#
#   GARAGE_DATA=./data  GARAGE_S3_PORT=3900  GARAGE_RPC_PORT=3901  GARAGE_BUCKET=my-bucket
#   GARAGE_BUILD_DIR=build (configured as RelWithDebInfo when it has no CMakeCache.txt yet)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

data=${GARAGE_DATA:-$PWD/data}
mkdir -p "$data"
data=$(cd "$data" && pwd)
rpc_port=${GARAGE_RPC_PORT:-3901}
s3_port=${GARAGE_S3_PORT:-3900}
bucket=${GARAGE_BUCKET:-my-bucket}
region=garage
build=${GARAGE_BUILD_DIR:-build}
config="$data/garage.toml"
if [ -f "$config" ]; then  # a data folder's existing config keeps its ports
  s3_port=$(sed -n 's/^api_bind_addr *= *"[^"]*:\([0-9]*\)".*/\1/p' "$config" | head -n 1)
  rpc_port=$(sed -n 's/^rpc_bind_addr *= *"[^"]*:\([0-9]*\)".*/\1/p' "$config" | head -n 1)
fi

# A port something else holds would only show up as a bind error in the server's log: say
# which port and what holds it, before building anything.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
holder_of() {  # the process listening on a port, where ss can tell
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1
}
for port in "$s3_port" "$rpc_port"; do
  if port_taken "$port"; then
    echo "run.sh: port $port on 127.0.0.1 is taken $(holder_of "$port")" >&2
    echo "run.sh: is another scripts/run.sh running? Stop it, or choose other ports:" \
      "GARAGE_S3_PORT=... GARAGE_RPC_PORT=... GARAGE_DATA=... scripts/run.sh" >&2
    exit 1
  fi
done

[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target garage
garage_bin=$(cd "$build" && pwd)/garage

scripts/genkeys.sh "$data/keys" node1 >/dev/null
if [ ! -f "$config" ]; then
  cat > "$config" <<TOML
# Written by scripts/run.sh; edit freely (see README.md for every key).
metadata_dir = "$data/meta"
data_dir = "$data/blocks"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc_port"
bootstrap_peers = []

[s3_api]
api_bind_addr = "127.0.0.1:$s3_port"
s3_region = "$region"

[rpc_tls]
ca_cert = "$data/keys/ca.crt"
node_cert = "$data/keys/node1.crt"
node_key = "$data/keys/node1.key"
cli_cert = "$data/keys/cli.crt"
cli_key = "$data/keys/cli.key"
TOML
fi
G() { "$garage_bin" -c "$config" "$@"; }

# The credentials are chosen once and kept in the data folder.
if [ ! -f "$data/credentials" ]; then
  umask 077
  printf 'GK%s %s\n' "$(openssl rand -hex 12)" "$(openssl rand -hex 32)" > "$data/credentials"
fi
read -r key_id secret < "$data/credentials"

G server 2> >(sed -u 's/^/[garage] /' >&2) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM

# Wait for the node, then set it up (every step is idempotent).
for _ in $(seq 100); do
  G status >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "run.sh: the node stopped before serving (its log is above)" >&2; exit 1; }
  sleep 0.1
done
G status >/dev/null
if ! G layout show | grep -q "CURRENT CLUSTER LAYOUT (version [1-9]"; then
  node_id=$(G node id | cut -c1-16)
  G layout assign "$node_id" -z local -c 100G >/dev/null
  G layout apply --version 1 >/dev/null
fi
for _ in $(seq 100); do G key list >/dev/null 2>&1 && break; sleep 0.1; done
G key info "$key_id" >/dev/null 2>&1 || G key import default --id "$key_id" --secret "$secret" >/dev/null
G key allow --create-bucket "$key_id" >/dev/null   # so that `aws s3 mb` works too
G bucket info "$bucket" >/dev/null 2>&1 || G bucket create "$bucket" >/dev/null
G bucket allow "$bucket" --key "$key_id" --read --write --owner >/dev/null

cat > "$data/env" <<ENV
export AWS_ACCESS_KEY_ID=$key_id
export AWS_SECRET_ACCESS_KEY=$secret
export AWS_DEFAULT_REGION=$region
export AWS_ENDPOINT_URL=http://127.0.0.1:$s3_port
export GARAGE_BUCKET=$bucket
ENV
echo
echo "garage: S3 endpoint http://127.0.0.1:$s3_port (region $region), bucket '$bucket'. Paste into a shell:"
echo
cat "$data/env"
echo
echo "garage: (also in $data/env). Try, in another terminal:"
echo "  source $data/env && aws --endpoint-url \$AWS_ENDPOINT_URL s3 ls s3://\$GARAGE_BUCKET"
echo "garage: serving; Ctrl-C stops it."
wait $server
