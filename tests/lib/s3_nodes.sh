# Shared by the multi-node real-process S3 tests (s3_cluster_test.sh, retried_complete_test.sh):
# sourced after `build` is set. Gives a work folder removed on exit (with every node killed),
# `check`, `wait_for`, per-test random ports, node configs, `start`, and a cluster made ready
# with one key and one bucket.
#
#   source "$(dirname "$0")/lib/s3_nodes.sh"
#   make_nodes 3 3                       # three nodes, replication factor 3 (extra TOML: $node_extra)
#   ready_cluster 3 my-bucket my-key     # all up, a layout over every node, key and bucket
#   aws_on 2 s3 ls s3://my-bucket/       # awscli against node2's S3 endpoint
garage=$(cd "$build" && pwd)/garage
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
declare -A pid_of
cleanup() {
  for p in "${pid_of[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
passes=0
check() {  # check DESCRIPTION COMMAND...: one condition (for several, a function: `[ a ] && [ b ]`
  local what=$1  # after check would be run by the caller, not checked)
  shift
  if "$@"; then echo "ok   - $what"; passes=$((passes + 1)); else echo "FAIL - $what"; failures=$((failures + 1)); fi
}
wait_for() {  # wait_for SECONDS COMMAND...: polls; prints the elapsed time; fails on timeout
  local limit=$1 start=$SECONDS
  shift
  while ! "$@"; do
    (( SECONDS - start > limit )) && return 1
    sleep 0.5
  done
  echo "$((SECONDS - start))s"
}
finish() {  # the last line of a test: its counts, and its exit status
  echo "$(basename "$0" .sh): $passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}

base=$((20000 + RANDOM % 20000))
rpc() { echo $((base + $1)); }
s3p() { echo $((base + 10 + $1)); }
node_extra=""  # more top-level TOML lines for every node (set before make_nodes)

make_nodes() {  # make_nodes COUNT REPLICATION_FACTOR: keys and a config per node (node1 is the bootstrap peer)
  local count=$1 rf=$2 names=() i
  for i in $(seq 1 "$count"); do names+=("node$i"); done
  "$src/scripts/genkeys.sh" "$work/keys" "${names[@]}" >/dev/null
  for i in $(seq 1 "$count"); do
    mkdir -p "$work/node$i"
    cat > "$work/node$i/garage.toml" <<TOML
metadata_dir = "$work/node$i/meta"
data_dir = "$work/node$i/data"
replication_factor = $rf
rpc_bind_addr = "127.0.0.1:$(rpc "$i")"
bootstrap_peers = ["127.0.0.1:$(rpc 1)"]
$node_extra
[s3_api]
api_bind_addr = "127.0.0.1:$(s3p "$i")"
s3_region = "garage"
[rpc_tls]
ca_cert = "$work/keys/ca.crt"
node_cert = "$work/keys/node$i.crt"
node_key = "$work/keys/node$i.key"
cli_cert = "$work/keys/cli.crt"
cli_key = "$work/keys/cli.key"
TOML
  done
}
start() {  # start NODE_NAME
  "$garage" -c "$work/$1/garage.toml" server >>"$work/$1.log" 2>&1 &
  pid_of[$1]=$!
  disown $!
}
G() { "$garage" -c "$work/node1/garage.toml" "$@"; }
nodes_up() { [ "$(G status 2>/dev/null | grep -c ' up ')" = "$1" ]; }
blocks_on() { find "$work/$1/data" -type f -name '[0-9a-f]*' 2>/dev/null | grep -v '\.tmp$' | wc -l; }
aws_on() { local n=$1; shift; /usr/bin/aws --endpoint-url "http://127.0.0.1:$(s3p "$n")" "$@"; }

ready_cluster() {  # ready_cluster COUNT BUCKET KEY_NAME: start every node, one zone each, key and bucket
  local count=$1 bucket=$2 key=$3 i t id
  for i in $(seq 1 "$count"); do start "node$i"; done
  t=$(wait_for 20 nodes_up "$count"); check "$count nodes up (in ${t:-timeout})" [ -n "$t" ]
  for i in $(seq 1 "$count"); do
    id=$("$garage" -c "$work/node$i/garage.toml" node id | cut -c1-16)
    G layout assign "$id" -z "dc$i" -c 1G >/dev/null
  done
  G layout apply --version 1 >/dev/null
  everyone_has_layout() {
    local n
    for n in $(seq 1 "$count"); do
      "$garage" -c "$work/node$n/garage.toml" layout show 2>/dev/null | grep -q "LAYOUT (version 1)" || return 1
    done
  }
  t=$(wait_for 20 everyone_has_layout); check "layout version 1 on every node (in ${t:-timeout})" [ -n "$t" ]
  key_ready() { G key create "$key" > "$work/key.txt" 2>/dev/null; }
  t=$(wait_for 20 key_ready); check "key created (in ${t:-timeout})" [ -n "$t" ]
  export AWS_ACCESS_KEY_ID=$(awk '/Key ID:/ {print $3}' "$work/key.txt")
  export AWS_SECRET_ACCESS_KEY=$(awk '/Secret key:/ {print $3}' "$work/key.txt")
  export AWS_DEFAULT_REGION=garage AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
  export AWS_SHARED_CREDENTIALS_FILE=/dev/null
  G bucket create "$bucket" >/dev/null
  G bucket allow "$bucket" --key "$key" --read --write --owner >/dev/null
}
