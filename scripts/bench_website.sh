#!/usr/bin/env bash
# Website GET throughput beside nginx, in one run (issue 13's figure): 10 KiB pages, 16 requests
# in flight, the same load generator (../shared/tools/s3load, unsigned GETs) against
#   - garage's website endpoint ([s3_web]; one node, RF 1, fsync on), the pages PUT through S3;
#   - nginx serving the same pages from disk (../shared/tools/s3load/servers.sh nginx).
# REPS rounds, interleaved; prints each run's s3load line and the medians.
#
#   scripts/bench_website.sh            REPS=3 OBJECTS=300 OPS=20000 (environment)
# Needs ../shared/tools/s3load (built here with make if needed: libcurl4-openssl-dev) and nginx.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/../shared/tools/s3load
[ -d "$tools" ] || { echo "bench_website: $tools is absent (the shared tools sit beside the repository)"; exit 1; }
command -v nginx >/dev/null || { echo "bench_website: nginx is not installed (apt-get install nginx)"; exit 1; }
[ -x "$tools/s3load" ] || make -C "$tools" >/dev/null
reps=${REPS:-3} objects=${OBJECTS:-300} ops=${OPS:-20000}
build="$root/build"
cmake -S "$root" -B "$build" -G Ninja >/dev/null
cmake --build "$build" --target garage >/dev/null
tmp=$(mktemp -d)
source "$root/scripts/lib/bench_node.sh"
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  "$tools/servers.sh" stop nginx "$tmp/nginx" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
bench_node_config web
start_server
bench_node_ready
# s3load asks for /<bucket>/<key> on http://localhost:<port>: the website of the bucket named
# "localhost" (its Host), whose keys begin with "site/".
G bucket create localhost >/dev/null
G bucket allow localhost --key bench --read --write --owner >/dev/null
G bucket website localhost --allow >/dev/null
load() { "$tools/s3load" "$@"; }
load -e "http://127.0.0.1:$port" -a "$key_id" -s "$secret" -r garage -b localhost -o put -z 10K -n "$objects" \
  -c 16 -p site/p/ >/dev/null

"$tools/servers.sh" start nginx "$tmp/nginx" >/dev/null
load -e http://127.0.0.1:19200 --no-sign -b site --create-bucket -o put -z 10K -n "$objects" -c 16 -p p/ >/dev/null

for rep in $(seq "$reps"); do
  for target in garage nginx; do
    if [ $target = garage ]; then endpoint="http://localhost:$web_port"; else endpoint=http://127.0.0.1:19200; fi
    line=$(load -e "$endpoint" --no-sign -b site -o get -z 10K -n "$objects" -N "$ops" -c 16 -p p/)
    echo "$target $line"
  done
done | tee "$tmp/runs"
echo
echo "== medians over $reps rounds (GET 10 KiB, 16 in flight)"
for target in garage nginx; do
  grep "^$target " "$tmp/runs" | sed -E 's/.* ops_s=([0-9.]+) .* lat_p50_ms=([0-9.]+) lat_p90_ms=[0-9.]+ lat_p99_ms=([0-9.]+).*/\1 \2 \3/' |
    sort -n | awk -v t=$target '{ops[NR]=$1; p50[NR]=$2; p99[NR]=$3} END {m=int((NR+1)/2);
      printf "%-7s %8.0f ops/s  p50 %.2f ms  p99 %.2f ms (the median round by ops/s)\n", t, ops[m], p50[m], p99[m]}'
done
echo "garage server peak RSS (VmHWM): $(peak_rss)"
