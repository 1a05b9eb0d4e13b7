# The real-process tests' one library (tests/*.sh): sourced after `build` is set. It gives a
# work folder, ports, node configs, one way to start and stop a node, one `check`, and one
# cleanup on exit (every node it started killed, its ports released, the folder removed unless
# KEEP_WORK=1).
#
#   source "$(dirname "$0")/lib/nodes.sh"
#   make_nodes 3 3                       # keys and a config for node1..node3, replication factor 3
#                                        # (extra TOML: $node_extra at the top, $s3_extra in [s3_api])
#   ready_cluster 3 my-bucket my-key     # all up, a layout over every node, key and bucket
#   aws_on 2 s3 ls s3://my-bucket/       # awscli against node2's S3 endpoint
#   check "what it shows" COMMAND...; t=$(wait_for 20 COMMAND...); finish
#
# Ports: every port comes from free_port, which claims it with an atomic mkdir under
# $TMPDIR/garage-test-ports (released on exit) and checks that nothing on the machine holds
# it: tests that ctest runs in parallel never share one.
garage=$(cd "$build" && pwd)/garage
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
port_claims=${TMPDIR:-/tmp}/garage-test-ports
mkdir -p "$port_claims"
find "$port_claims" -mindepth 1 -maxdepth 1 -mmin +180 -exec rm -rf {} + 2>/dev/null  # a killed test's claims
declare -A pid_of
cleanup() {
  local p d
  for p in "${pid_of[@]}"; do kill -9 "$p" 2>/dev/null; done
  for d in "$port_claims"/*; do
    [ "$(cat "$d/owner" 2>/dev/null)" = "$$" ] && rm -rf "$d"
  done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # prints a loopback port no other test claimed and nothing binds; this test's until exit
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    mkdir "$port_claims/$p" 2>/dev/null || continue
    echo "$$" >"$port_claims/$p/owner"  # $$: the test's shell, also inside $(...)
    if /usr/bin/python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$p" \
      2>/dev/null; then
      echo "$p"
      return
    fi
    rm -rf "${port_claims:?}/$p"
  done
}

failures=0
passes=0
check() {  # check DESCRIPTION COMMAND...: one condition (for several, a function: `[ a ] && [ b ]`
  local what=$1  # after check would be run by the caller, not checked)
  shift
  if "$@"; then echo "ok   - $what"; passes=$((passes + 1)); else echo "FAIL - $what"; failures=$((failures + 1)); fi
}
wait_for() {  # wait_for SECONDS COMMAND...: polls every 0.2 s; prints the elapsed time ("850ms"); fails on timeout
  local limit=$1 start_ns
  shift
  start_ns=$(date +%s%N)
  while ! "$@"; do
    (( $(date +%s%N) - start_ns > limit * 1000000000 )) && return 1
    sleep 0.2
  done
  echo "$(( ($(date +%s%N) - start_ns) / 1000000 ))ms"
}
finish() {  # the last line of a test: its counts, and its exit status
  echo "$(basename "$0" .sh): $passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}

declare -A rpc_port_of s3_port_of
rpc() { echo "${rpc_port_of[$1]}"; }  # rpc N: node N's RPC port
s3p() { echo "${s3_port_of[$1]}"; }   # s3p N: node N's S3 port
node_extra=""  # more top-level TOML lines for every node (set before make_nodes)
s3_extra=""    # more [s3_api] lines for every node

write_node_config() {  # write_node_config N KEY_DIR RF: $work/nodeN/garage.toml, keys KEY_DIR/nodeN.*
  local i=$1 keys=$2 rf=$3
  rpc_port_of[$i]=$(free_port)
  s3_port_of[$i]=$(free_port)
  mkdir -p "$work/node$i"
  cat >"$work/node$i/garage.toml" <<TOML
metadata_dir = "$work/node$i/meta"
data_dir = "$work/node$i/data"
replication_factor = $rf
rpc_bind_addr = "127.0.0.1:$(rpc "$i")"
bootstrap_peers = ["127.0.0.1:$(rpc 1)"]
$node_extra
[s3_api]
api_bind_addr = "127.0.0.1:$(s3p "$i")"
s3_region = "garage"
$s3_extra
[rpc_tls]
ca_cert = "$keys/ca.crt"
node_cert = "$keys/node$i.crt"
node_key = "$keys/node$i.key"
cli_cert = "$keys/cli.crt"
cli_key = "$keys/cli.key"
TOML
}

make_nodes() {  # make_nodes COUNT REPLICATION_FACTOR: keys and a config per node (node1 is the bootstrap peer)
  local count=$1 rf=$2 names=() i
  for i in $(seq 1 "$count"); do names+=("node$i"); done
  "$src/scripts/genkeys.sh" "$work/keys" "${names[@]}" >/dev/null
  for i in $(seq 1 "$count"); do write_node_config "$i" "$work/keys" "$rf"; done
}
start() {  # start NODE_NAME: runs it in the background, its output appended to $work/NODE_NAME.log
  "$garage" -c "$work/$1/garage.toml" server >>"$work/$1.log" 2>&1 &
  pid_of[$1]=$!
  disown $!  # no "Killed" job notices from kill -9
}
stop() {  # stop NODE_NAME: kill -9, and wait until it is gone
  local p=${pid_of[$1]:-}
  [ -n "$p" ] || return 0
  kill -9 "$p" 2>/dev/null
  while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  unset "pid_of[$1]"
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
