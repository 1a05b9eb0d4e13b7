#!/usr/bin/env bash
# Real processes on loopback: three `garage server` nodes with mutual TLS find each other from
# one bootstrap address; `garage status` lists all three up; after kill -9 of one the others see
# it DOWN within the bound; it comes back up after a restart; a CLI or a node whose certificate
# comes from another CA is refused; a bad config file is refused with a clear message; the
# daemon runs the same services as the simulator's node (garage-sim, which must be built).
#
#   tests/real_cluster_test.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: real_cluster_test.sh BUILD_DIR}
source "$(dirname "$0")/lib/nodes.sh"
make_nodes 3 3
"$src/scripts/genkeys.sh" "$work/evil" node4 >/dev/null  # the intruder's keys: another CA

# status_of FROM_NODE PORT -> the STATUS column for the node at 127.0.0.1:PORT ("" if unknown)
status_of() {
  "$garage" -c "$work/$1/garage.toml" status 2>/dev/null |
    awk -v a="127.0.0.1:$2" '$2 == a { for (i = 3; i <= NF; i++) if ($i == "up" || $i == "DOWN") { print $i; exit } }'
}

all_see_all_up() {
  for from in node1 node2 node3; do
    for i in 1 2 3; do
      [ "$(status_of "$from" "$(rpc $i)")" = "up" ] || return 1
    done
  done
}
others_see_node3() {  # others_see_node3 STATE
  [ "$(status_of node1 "$(rpc 3)")" = "$1" ] && [ "$(status_of node2 "$(rpc 3)")" = "$1" ]
}

for i in 1 2 3; do start "node$i"; done

t=$(wait_for 15 all_see_all_up) ; check "3 nodes find each other from one bootstrap address (in ${t:-timeout})" [ -n "$t" ]
lines=$("$garage" -c "$work/node2/garage.toml" status | grep -c ' up ')
check "garage status lists all three nodes as up" [ "$lines" = 3 ]

kill -9 "${pid_of[node3]}"
# Bound: down_after (5 s) + one ping interval (1 s) + slack for a loaded CI machine.
t=$(wait_for 8 others_see_node3 DOWN) ; check "after kill -9, the others show node3 DOWN within 8 s (took ${t:-timeout})" [ -n "$t" ]

start node3
t=$(wait_for 10 all_see_all_up) ; check "restarted node3 is seen up again by all (in ${t:-timeout})" [ -n "$t" ]

out=$("$garage" -c "$work/node1/garage.toml" status --ca-cert "$work/evil/ca.crt" \
      --client-cert "$work/evil/cli.crt" --client-key "$work/evil/cli.key" 2>&1)
rc=$?
check "a CLI with a certificate from another CA is refused" [ $rc -ne 0 ]
check "  ... with a message that says why" grep -q "certificate" <<<"$out"
out=$("$garage" -c "$work/node1/garage.toml" status --client-cert "$work/evil/cli.crt" --client-key "$work/evil/cli.key" 2>&1)
check "a CLI trusting our CA but holding a foreign certificate is refused" [ $? -ne 0 ]
# A node's certificate lies on every node's disk: it is not an administration certificate, so
# it cannot read the cluster's state (or, on the S3 nodes, keys' secrets).
out=$("$garage" -c "$work/node1/garage.toml" status --client-cert "$work/keys/node2.crt" --client-key "$work/keys/node2.key" 2>&1)
rc=$?
check "a CLI holding a node's certificate is refused" [ $rc -ne 0 ]
check "  ... with a message that names the administration certificate" grep -q "administration certificate" <<<"$out"

# The layout: staged on node1, applied, spread by gossip to the others.
G="$garage -c $work/node1/garage.toml"
ids=$($G status | awk 'NR > 1 { print $1 }')
z=0
for id in $ids; do z=$((z + 1)); $G layout assign "${id:0:8}" -z "dc$z" -c 1T >/dev/null || echo "assign $id failed"; done
check "three roles are staged" [ "$($G layout show | grep -c 'zone dc')" = 3 ]
out=$($G layout apply --version 7 2>&1)
check "applying the wrong version number is refused with the right one named" grep -q "next layout version is 1" <<<"$out"
out=$($G layout assign "${id:0:8}" -c lots 2>&1)
check "a bad capacity is refused clearly" grep -q "is not a size" <<<"$out"
out=$($G layout assign ffffffffffff -z dc1 -c 1T 2>&1)
check "an unknown node id is refused clearly" grep -q "no known node id" <<<"$out"
quiet() { "$@" >/dev/null 2>&1; }
check "layout version 1 applies" quiet $G layout apply --version 1
layout_v1_everywhere() {
  for n in node2 node3; do "$garage" -c "$work/$n/garage.toml" layout show | grep -q "CURRENT CLUSTER LAYOUT (version 1)" || return 1; done
}
t=$(wait_for 10 layout_v1_everywhere) ; check "every node holds layout version 1 (in ${t:-timeout})" [ -n "$t" ]
check "  ... with every partition on all three nodes" grep -q " 256 " <<<"$("$garage" -c "$work/node3/garage.toml" layout show)"

# Replicated table data: written through one node, read through another, also with a node down.
G2="$garage -c $work/node2/garage.toml"
G3="$garage -c $work/node3/garage.toml"
check "debug kv-put through node1 succeeds" quiet $G debug kv-put greeting hello
check "  ... and node2 reads it back" [ "$($G2 debug kv-get greeting 2>&1)" = hello ]
kill -9 "${pid_of[node3]}"
check "with node3 killed, a write through node2 still reaches a quorum" quiet $G2 debug kv-put greeting again
check "  ... and node1 reads the new value" [ "$($G debug kv-get greeting 2>&1)" = again ]
start node3
t=$(wait_for 10 all_see_all_up) ; check "node3 back up (in ${t:-timeout})" [ -n "$t" ]
check "node3 reads the value written while it was down" [ "$($G3 debug kv-get greeting 2>&1)" = again ]
check "a delete through node3 succeeds" quiet $G3 debug kv-del greeting
$G debug kv-get greeting >/dev/null 2>&1
check "  ... and node1 then reports the key absent (exit 2)" [ $? -eq 2 ]

write_node_config 4 "$work/evil" 3
start node4
sleep 3
check "a node with a foreign certificate never appears in status" [ -z "$(status_of node1 "$(rpc 4)")" ]
check "  ... and node1 logged the refused handshake" grep -q "PeerRefused" "$work/node1.log"

# The simulator runs the node the daemon runs: the same services, as the node reports them.
daemon_services=$(sed -n 's/.* INFO NodeServices //p' "$work/node1.log" | head -n 1)
sim_services=$("$build/garage-sim" --seed 1 --workload s3 -v 2>/dev/null | sed -n 's/^services: //p')
check "the daemon reports what it runs (${daemon_services:0:60}...)" [ -n "$daemon_services" ]
check "  ... and the simulator's node runs exactly the same services" [ "$daemon_services" = "$sim_services" ]
[ "$daemon_services" = "$sim_services" ] || printf 'daemon:    %s\nsimulator: %s\n' "$daemon_services" "$sim_services"

printf 'metadata_dir = 3\n' > "$work/bad.toml"
out=$("$garage" -c "$work/bad.toml" server 2>&1)
rc=$?
check "a bad config is refused with a message naming the key" [ $rc -ne 0 ]
check "  ... (message: $out)" grep -q "metadata_dir" <<<"$out"
out=$("$garage" -c "$work/missing.toml" status 2>&1)
check "a missing config file is reported" grep -q "cannot read config file" <<<"$out"

finish
