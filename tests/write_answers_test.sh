#!/usr/bin/env bash
# Issue 25 point 2: every kind of write answers within a bound when a peer stops or hangs, and
# succeeds once it is back (tests/write_answers_test.py does the S3 side). Two nodes, RF 2,
# block_size 1 MiB; writes go through node1, node2 is stopped (SIGTERM), started again, then
# hung (SIGSTOP) and resumed.
#
#   tests/write_answers_test.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: write_answers_test.sh BUILD_DIR}
source "$(dirname "$0")/lib/nodes.sh"
node_extra='block_size = "1M"'
make_nodes 2 2
ready_cluster 2 answers answers-test
G key allow --create-bucket answers-test >/dev/null
endpoint="http://127.0.0.1:$(s3p 1)"

run_phase() {  # run_phase stopped|hung
  if /usr/bin/python3 "$src/tests/write_answers_test.py" "$endpoint" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" \
    garage "${pid_of[node2]}" "$1" > "$work/$1.log" 2>&1; then
    check "peer $1: $(grep -c '^ok' "$work/$1.log") checks" true
  else
    check "peer $1: see the failures above" false
  fi
  grep -v '^ok' "$work/$1.log"
}

run_phase stopped
old=${pid_of[node2]}
kill -TERM "$old" 2>/dev/null  # (the phase did; again in case it failed before)
wait_for 10 bash -c "! kill -0 $old 2>/dev/null" >/dev/null
start node2
# Back means writes through node1 reach node2 again: node1's status alone can still show node2
# up from before it noticed the stop (seen 2026-12-06: "back in 60 ms", then a 503).
write_back() { echo back | aws_on 1 s3 cp - s3://answers/back-probe >/dev/null 2>&1; }
t=$(wait_for 30 write_back); check "node2 back, a write through node1 succeeds (in ${t:-timeout})" [ -n "$t" ]
run_phase hung
finish
