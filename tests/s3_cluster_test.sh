#!/usr/bin/env bash
# Three real nodes on loopback, replication factor 3, each with an S3 endpoint: objects written
# through one node are read through another; after kill -9 of a node every object still reads
# (through the two others); a node that comes back with an empty data folder (a lost disk) gets
# its blocks back from the resync worker; a corrupted block file is never served.
#
#   tests/s3_cluster_test.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: s3_cluster_test.sh BUILD_DIR}
garage=$(cd "$build" && pwd)/garage
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
declare -A pid_of
cleanup() {
  for p in "${pid_of[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
passes=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
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

base=$((20000 + RANDOM % 20000))
rpc() { echo $((base + $1)); }
s3p() { echo $((base + 10 + $1)); }
"$src/scripts/genkeys.sh" "$work/keys" node1 node2 node3 >/dev/null
for i in 1 2 3; do
  mkdir -p "$work/node$i"
  cat > "$work/node$i/garage.toml" <<TOML
metadata_dir = "$work/node$i/meta"
data_dir = "$work/node$i/data"
replication_factor = 3
rpc_bind_addr = "127.0.0.1:$(rpc $i)"
bootstrap_peers = ["127.0.0.1:$(rpc 1)"]
block_size = "256K"
[s3_api]
api_bind_addr = "127.0.0.1:$(s3p $i)"
s3_region = "garage"
[rpc_tls]
ca_cert = "$work/keys/ca.crt"
node_cert = "$work/keys/node$i.crt"
node_key = "$work/keys/node$i.key"
cli_cert = "$work/keys/cli.crt"
cli_key = "$work/keys/cli.key"
TOML
done
start() {
  "$garage" -c "$work/$1/garage.toml" server >>"$work/$1.log" 2>&1 &
  pid_of[$1]=$!
  disown $!
}
G() { "$garage" -c "$work/node1/garage.toml" "$@"; }
for i in 1 2 3; do start "node$i"; done
all_up() { [ "$(G status 2>/dev/null | grep -c ' up ')" = 3 ]; }
t=$(wait_for 20 all_up); check "three nodes up (in ${t:-timeout})" [ -n "$t" ]
z=0
for n in 1 2 3; do
  id=$("$garage" -c "$work/node$n/garage.toml" node id | cut -c1-16)
  z=$((z + 1))
  G layout assign "$id" -z "dc$z" -c 1G >/dev/null
done
G layout apply --version 1 >/dev/null
everyone_has_layout() {
  for n in 1 2 3; do "$garage" -c "$work/node$n/garage.toml" layout show 2>/dev/null | grep -q "LAYOUT (version 1)" || return 1; done
}
t=$(wait_for 20 everyone_has_layout); check "layout version 1 on every node (in ${t:-timeout})" [ -n "$t" ]
key_ready() { G key create cluster-test > "$work/key.txt" 2>/dev/null; }
t=$(wait_for 20 key_ready); check "key created (in ${t:-timeout})" [ -n "$t" ]
export AWS_ACCESS_KEY_ID=$(awk '/Key ID:/ {print $3}' "$work/key.txt")
export AWS_SECRET_ACCESS_KEY=$(awk '/Secret key:/ {print $3}' "$work/key.txt")
export AWS_DEFAULT_REGION=garage AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
G bucket create replicated >/dev/null
G bucket allow replicated --key cluster-test --read --write --owner >/dev/null
aws_on() { local n=$1; shift; /usr/bin/aws --endpoint-url "http://127.0.0.1:$(s3p "$n")" "$@"; }

mkdir -p "$work/objects"
for i in $(seq 1 8); do head -c $((i * 300000 + 17)) /dev/urandom > "$work/objects/obj$i"; done
echo "tiny inline object" > "$work/objects/tiny"
check "8 multi-block objects and one inline object written through node1" \
  aws_on 1 s3 cp --recursive "$work/objects" s3://replicated/ --quiet
read_all_through() {  # read_all_through NODE: every object reads back identical
  local n=$1
  rm -rf "$work/back"
  aws_on "$n" s3 cp --recursive s3://replicated/ "$work/back" --quiet && diff -r "$work/objects" "$work/back" >/dev/null
}
check "every object reads back through node2" read_all_through 2
blocks_on() { find "$work/$1/data" -type f -name '[0-9a-f]*' 2>/dev/null | grep -v '\.tmp$' | wc -l; }
n1=$(blocks_on node1)
every_node_holds_all() { [ "$n1" -gt 8 ] && [ "$(blocks_on node2)" = "$n1" ] && [ "$(blocks_on node3)" = "$n1" ]; }
# (a function: `check ... [ a ] && [ b ]` would check only the first condition)
check "every node holds every block (RF 3): $n1 on node1" every_node_holds_all

for victim in 3 2 1; do
  reader=$(( victim % 3 + 1 ))
  kill -9 "${pid_of[node$victim]}"
  check "node$victim killed (kill -9): every object reads through node$reader" read_all_through "$reader"
  start "node$victim"
  t=$(wait_for 20 all_up); check "  node$victim back (in ${t:-timeout})" [ -n "$t" ]
done

# A lost disk: node3 comes back with an empty data folder; resync refills it.
kill -9 "${pid_of[node3]}"
rm -rf "$work/node3/data"
start node3
refilled() { [ "$(blocks_on node3)" = "$n1" ]; }
t=$(wait_for 60 refilled); check "node3's lost blocks are fetched back by resync (in ${t:-timeout}, $(blocks_on node3)/$n1)" [ -n "$t" ]

# Corruption: flip bytes in every block file on node1; reads through node1 still return good
# data (verified hash, other replica), and node1 rewrites its copies.
for f in $(find "$work/node1/data" -type f | head -n 1000); do printf 'CORRUPT' | dd of="$f" bs=1 seek=10 conv=notrunc status=none; done
check "with node1's block files corrupted, every object still reads through node1" read_all_through 1
sleep 2
bad=0
for f in $(find "$work/node1/data" -type f -name '[0-9a-f]*' | grep -v '\.tmp$'); do
  [ "$(sha256sum "$f" | cut -c1-64)" = "$(basename "$f")" ] || bad=$((bad + 1))
done
check "  ... and node1 repaired its copies ($bad still corrupt)" [ "$bad" = 0 ]

echo "s3_cluster_test: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
