#!/usr/bin/env bash
# Issue 25 point 1, the exact sequence that lost an acknowledged object: two real nodes, RF 2,
# block_gc_delay_secs = 2, a multipart upload of 3 parts (11 MiB) through node1. node2 is
# stopped; CompleteMultipartUpload on node1 fails (no write quorum) and must answer within a
# bound. node2 comes back; the client retries Complete with the same body and gets 200. Then,
# and again after the failed attempt has been rolled back (write journal: 30 s) and block
# collection has had time to act (gc delay 2 s), the object reads back whole, every one of its
# blocks is on both nodes, and a third Complete answers the same ETag.
#
#   tests/retried_complete_test.sh BUILD_DIR
set -uo pipefail

build=${1:?usage: retried_complete_test.sh BUILD_DIR}
source "$(dirname "$0")/lib/nodes.sh"
node_extra='block_size = "1M"
block_gc_delay_secs = 2
allow_short_gc_delay_for_tests = true'
make_nodes 2 2
ready_cluster 2 mpu-retry retry-test
# One attempt per command: the test retries by hand, as the report's client did.
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
api() { /usr/bin/aws --endpoint-url "http://127.0.0.1:$(s3p 1)" --cli-read-timeout 60 s3api "$@"; }

for i in 1 2 3; do head -c $(( i == 3 ? 1048576 : 5242880 )) /dev/urandom > "$work/part$i"; done
cat "$work/part1" "$work/part2" "$work/part3" > "$work/whole"
upload=$(api create-multipart-upload --bucket mpu-retry --key big --query UploadId --output text)
check "upload created" [ -n "$upload" ]
parts=""
for i in 1 2 3; do
  etag=$(api upload-part --bucket mpu-retry --key big --upload-id "$upload" --part-number $i --body "$work/part$i" \
    --query ETag --output text)
  [ -n "$etag" ] && parts+="{\"PartNumber\":$i,\"ETag\":$etag},"
done
echo "{\"Parts\":[${parts%,}]}" > "$work/parts.json"
check "three parts uploaded (11 MiB)" [ "$(grep -o PartNumber "$work/parts.json" | wc -l)" = 3 ]

complete() { api complete-multipart-upload --bucket mpu-retry --key big --upload-id "$upload" \
  --multipart-upload "file://$work/parts.json" --query ETag --output text; }

# node2 stopped: no write quorum. The Complete must fail, and answer within the bound (the
# RPC timeout of each quorum step, well under the 60 s read timeout).
kill -TERM "${pid_of[node2]}"
wait_for 10 bash -c "! kill -0 ${pid_of[node2]} 2>/dev/null" >/dev/null
before=$SECONDS
if first=$(complete 2>"$work/first.err"); then answered=ok; else answered=failed; fi
took=$((SECONDS - before))
server_error() { [ "$answered" = failed ] && grep -q "ServiceUnavailable\|InternalError\|SlowDown" "$work/first.err"; }
check "Complete with node2 down fails with a server error ($answered: $(tr -d '\n' < "$work/first.err" | head -c 160))" \
  server_error
check "  ... and answers within 40 s (took ${took}s)" [ "$took" -le 40 ]

start node2
t=$(wait_for 30 nodes_up 2); check "node2 back (in ${t:-timeout})" [ -n "$t" ]
retried=""
for attempt in $(seq 1 30); do  # the client retries until node2 is reachable again
  retried=$(complete 2>>"$work/retry.err") && break
  retried=""
  sleep 1
done
check "the retried Complete answers 200 with an ETag ($retried, attempt $attempt)" [ -n "$retried" ]

reads_whole() {  # reads_whole NODE
  rm -f "$work/back"
  /usr/bin/aws --endpoint-url "http://127.0.0.1:$(s3p "$1")" s3api get-object --bucket mpu-retry --key big "$work/back" \
    >/dev/null 2>&1 && cmp -s "$work/whole" "$work/back"
}
check "the object reads back whole through node1" reads_whole 1
check "  ... and through node2" reads_whole 2

# The failed attempt is rolled back 30 s after it was given up (a pass every 10 s), and blocks
# falling due are collected 2 s later: wait past both.
sleep 45
check "after the rollback and the gc delay, the object still reads whole through node1" reads_whole 1
check "  ... and through node2" reads_whole 2
b1=$(blocks_on node1)
b2=$(blocks_on node2)
both_hold_all() { [ "$b1" -ge 11 ] && [ "$b2" -ge 11 ]; }
check "every block of the object is on both nodes (11 blocks of 1 MiB: node1 $b1, node2 $b2)" both_hold_all
third=$(complete 2>/dev/null)
same_etag() { [ -n "$third" ] && [ "$third" = "$retried" ]; }
check "a third Complete answers the same ETag ($third)" same_etag
head_size=$(/usr/bin/aws --endpoint-url "http://127.0.0.1:$(s3p 1)" s3api head-object --bucket mpu-retry --key big \
  --query ContentLength --output text 2>/dev/null)
check "HEAD answers the whole size ($head_size)" [ "$head_size" = "$(stat -c %s "$work/whole")" ]

finish
