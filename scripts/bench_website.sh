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
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  "$tools/servers.sh" stop nginx "$tmp/nginx" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$root/scripts/genkeys.sh" "$tmp/keys" node1 >/dev/null
port=$((30000 + RANDOM % 10000))
cat > "$tmp/garage.toml" <<TOML
metadata_dir = "$tmp/meta"
data_dir = "$tmp/data"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$((port + 1))"
[s3_api]
api_bind_addr = "127.0.0.1:$port"
s3_region = "garage"
[s3_web]
bind_addr = "127.0.0.1:$((port + 2))"
[rpc_tls]
ca_cert = "$tmp/keys/ca.crt"
node_cert = "$tmp/keys/node1.crt"
node_key = "$tmp/keys/node1.key"
cli_cert = "$tmp/keys/cli.crt"
cli_key = "$tmp/keys/cli.key"
TOML
G() { "$build/garage" -c "$tmp/garage.toml" "$@"; }
"$build/garage" -c "$tmp/garage.toml" server 2>>"$tmp/server.log" &
server=$!
for _ in $(seq 100); do G status >/dev/null 2>&1 && break; sleep 0.1; done
G layout assign "$(G node id | cut -c1-16)" -z local -c 100G >/dev/null
G layout apply --version 1 >/dev/null
for _ in $(seq 100); do G key list >/dev/null 2>&1 && break; sleep 0.1; done
created=$(G key create bench)
key_id=$(awk '/Key ID:/ {print $3}' <<<"$created")
secret=$(awk '/Secret key:/ {print $3}' <<<"$created")
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
    if [ $target = garage ]; then endpoint="http://localhost:$((port + 2))"; else endpoint=http://127.0.0.1:19200; fi
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
echo "garage server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server/status")"
