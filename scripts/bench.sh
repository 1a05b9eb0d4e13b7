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
