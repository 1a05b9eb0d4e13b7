#!/usr/bin/env bash
# A newcomer's first minutes, as README.md tells them: `scripts/run.sh` starts a node, the
# command it prints works as pasted, and the README's quick-start block (taken from README.md
# at run time, not copied here) runs command by command with the awscli Debian installs,
# uploading nothing but the example's own files. A second run.sh while one serves stops with
# a line naming the taken port.
#
#   tests/newcomer_test.sh BUILD_DIR        (KEEP_WORK=1 keeps the work folder)
set -uo pipefail

build=${1:?usage: newcomer_test.sh BUILD_DIR}
source "$(dirname "$0")/lib/nodes.sh"
build=$(cd "$build" && pwd)

# The newcomer's terminal: the repository root as README.md assumes it, with the data folder
# run.sh writes and the build it made (run.sh is told where both are).
home=$work/newcomer
mkdir -p "$home"
ln -s "$build" "$home/build"
s3_port=$(free_port)
rpc_port=$(free_port)
# The clients read nothing of this machine's own AWS configuration.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_PROFILE

run_pid=""
stop_run() {  # run.sh and what it started (its own session: setsid)
  [ -n "$run_pid" ] || return 0
  kill -TERM -- "-$run_pid" 2>/dev/null
  wait "$run_pid" 2>/dev/null
  run_pid=""
}
trap 'stop_run; cleanup' EXIT

GARAGE_DATA=$home/data GARAGE_S3_PORT=$s3_port GARAGE_RPC_PORT=$rpc_port GARAGE_BUILD_DIR=$build \
  setsid "$src/scripts/run.sh" >"$work/run.log" 2>&1 &
run_pid=$!
serving() { grep -q "serving; Ctrl-C stops it" "$work/run.log"; }
if ! check "run.sh starts a node and says it serves" wait_for 180 serving; then
  cat "$work/run.log"
  finish
  exit 1
fi

# Point 1 of the first-ten-minutes issue: the printed command works as pasted.
suggested=$(grep -A1 "Try, in another terminal:" "$work/run.log" | tail -n 1)
check "run.sh suggests a command" grep -q "aws --endpoint-url" <<<"$suggested"
check "the suggested command works as pasted" bash -c "cd '$home' && $suggested"

# The README's block: the first ```sh block after "In another terminal".
awk '/^In another terminal/ { seen = 1 }
     seen && /^```sh/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$src/README.md" >"$work/quickstart.sh"
check "README.md has a quick-start block" grep -q "source data/env" "$work/quickstart.sh"
quickstart() { (cd "$home" && bash -ex "$work/quickstart.sh") >"$work/quickstart.log" 2>&1; }
if ! check "every quick-start command succeeds" quickstart; then
  cat "$work/quickstart.log"
fi
check "the object read back is the one written" grep -qx "hello" "$work/quickstart.log"

# Nothing but the example's files went up: not build/, not data/ (keys, credentials).
listing=$(source "$home/data/env" &&
  aws --endpoint-url "$AWS_ENDPOINT_URL" s3 ls --recursive "s3://$GARAGE_BUCKET/" | awk '{print $4}' | sort | tr '\n' ' ')
echo "bucket holds: $listing"
check "the bucket holds only the example's files" test "$listing" = "hello.txt photos/cat.txt "

# Point 6: a second run.sh while this one serves names the taken port and stops.
second() {  # second LOG [ENV...]: runs run.sh with ENV, expecting it to fail
  local log=$1
  shift
  ! env "$@" GARAGE_BUILD_DIR="$build" timeout 60 "$src/scripts/run.sh" >"$log" 2>&1
}
check "a second run.sh on the same S3 port fails" \
  second "$work/second.log" GARAGE_DATA="$work/other" GARAGE_S3_PORT="$s3_port" GARAGE_RPC_PORT="$(free_port)"
check "... and names the taken port" grep -q "port $s3_port on 127.0.0.1 is taken" "$work/second.log"
check "a second run.sh on the same data folder fails" second "$work/third.log" GARAGE_DATA="$home/data"
check "... and names a port of that folder's config" grep -qE "port ($s3_port|$rpc_port) on 127.0.0.1 is taken" \
  "$work/third.log"
check "the first node still serves" bash -c "source '$home/data/env' && aws --endpoint-url \$AWS_ENDPOINT_URL s3 ls >/dev/null"

stop_run
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null; }
check "stopping run.sh stops its node" wait_for 10 port_free
finish
