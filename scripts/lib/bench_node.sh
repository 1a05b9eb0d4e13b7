# One garage node for the benchmarks (scripts/bench.sh, scripts/bench_website.sh): RF 1, fsync
# on, on loopback, its files under a work folder. Sourced with $root, $build and $tmp set.
#
#   bench_node_config [WEB]   writes $tmp/garage.toml (S3 on $port; with WEB, websites on $web_port)
#   start_server; bench_node_ready; ... stop_server
#   G ARGS...                 the CLI against that node; peak_rss: the server's VmHWM
port=$((30000 + RANDOM % 10000))
web_port=$((port + 2))
server=""

bench_node_config() {
  "$root/scripts/genkeys.sh" "$tmp/keys" node1 >/dev/null
  local web=""
  [ "${1:-}" = web ] && web="[s3_web]
bind_addr = \"127.0.0.1:$web_port\""
  cat > "$tmp/garage.toml" <<TOML
metadata_dir = "$tmp/meta"
data_dir = "$tmp/data"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$((port + 1))"
[s3_api]
api_bind_addr = "127.0.0.1:$port"
s3_region = "garage"
$web
[rpc_tls]
ca_cert = "$tmp/keys/ca.crt"
node_cert = "$tmp/keys/node1.crt"
node_key = "$tmp/keys/node1.key"
cli_cert = "$tmp/keys/cli.crt"
cli_key = "$tmp/keys/cli.key"
TOML
}
G() { "$build/garage" -c "$tmp/garage.toml" "$@"; }
start_server() {
  "$build/garage" -c "$tmp/garage.toml" server 2>>"$tmp/server.log" &
  server=$!
  for _ in $(seq 100); do G status >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }
peak_rss() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server/status"; }
# A layout over this node and a key "bench": $key_id and $secret.
bench_node_ready() {
  G layout assign "$(G node id | cut -c1-16)" -z local -c 100G >/dev/null
  G layout apply --version 1 >/dev/null
  for _ in $(seq 100); do G key list >/dev/null 2>&1 && break; sleep 0.1; done
  local created
  created=$(G key create bench)
  key_id=$(awk '/Key ID:/ {print $3}' <<<"$created")
  secret=$(awk '/Secret key:/ {print $3}' <<<"$created")
}
