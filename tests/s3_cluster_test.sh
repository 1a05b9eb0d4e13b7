#!/usr/bin/env bash
# Three real nodes on loopback, replication factor 3, each with an S3 endpoint: objects written
# through one node are read through another; after kill -9 of a node every object still reads
# (through the two others); a node that comes back with an empty data folder (a lost disk) gets
# its blocks back from the resync worker; a corrupted block file is never served.
#
#   tests/s3_cluster_test.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: s3_cluster_test.sh BUILD_DIR}
source "$(dirname "$0")/lib/nodes.sh"
node_extra='block_size = "256K"'
make_nodes 3 3
ready_cluster 3 replicated cluster-test

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
n1=$(blocks_on node1)
every_node_holds_all() { [ "$n1" -gt 8 ] && [ "$(blocks_on node2)" = "$n1" ] && [ "$(blocks_on node3)" = "$n1" ]; }
# (a function: `check ... [ a ] && [ b ]` would check only the first condition)
check "every node holds every block (RF 3): $n1 on node1" every_node_holds_all

for victim in 3 2 1; do
  reader=$(( victim % 3 + 1 ))
  kill -9 "${pid_of[node$victim]}"
  check "node$victim killed (kill -9): every object reads through node$reader" read_all_through "$reader"
  start "node$victim"
  t=$(wait_for 20 nodes_up 3); check "  node$victim back (in ${t:-timeout})" [ -n "$t" ]
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

finish
