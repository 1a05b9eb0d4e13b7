#!/usr/bin/env bash
# The project's benchmarks; the README quotes their output.
#   scripts/bench.sh            build (if needed) and run them all
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja >/dev/null
cmake --build "$build" --target bench_table_writes table_sync_cost_test >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== table writes into RocksDB (TableStore.merge_in; $(nproc) cores, disk under $tmp)"
"$build/tests/bench_table_writes" "$tmp" 20000
echo
echo "== anti-entropy cost: one sync_with() between replicas differing by D items"
"$build/tests/table_sync_cost_test" | grep -E '^ +[0-9a-z]'
echo
echo "== S3: one node (RF 1, metadata and data fsync on), client on the same machine"
cmake --build "$build" --target garage >/dev/null
source "$root/scripts/lib/bench_node.sh"
bench_node_config
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
start_server
bench_node_ready
G bucket create bench >/dev/null
G bucket allow bench --key bench --read --write --owner >/dev/null
/usr/bin/python3 "$root/scripts/bench_s3.py" "http://127.0.0.1:$port" "$key_id" "$secret" garage bench --small
echo "server peak RSS (VmHWM) during the small-object runs: $(peak_rss)"
stop_server
# A fresh process for the big object, so its peak RSS is that transfer's alone.
start_server
for _ in $(seq 100); do G key list >/dev/null 2>&1 && break; sleep 0.1; done
/usr/bin/python3 "$root/scripts/bench_s3.py" "http://127.0.0.1:$port" "$key_id" "$secret" garage bench \
  --big-mib "${BENCH_BIG_MIB:-1024}"
echo "server peak RSS (VmHWM) while one client PUT then GET that object: $(peak_rss)"
