#!/usr/bin/env bash
# Enforces the layering:
#  - determinism: node/ and s3/ reach the OS only through the ports of node/env.h. The daemon's
#    composition root (node/assembly/server*, node/assembly/cli_*, node/assembly/config_file*)
#    is the one exception;
#  - node/assembly/ is the only part of node/ that includes net/, s3/ or store/ (the Node wires
#    the S3 API; the daemon the real ports); nothing in node/ or s3/ includes sim/, and s3/
#    includes neither net/ nor store/;
#  - the transport knows nothing of S3, the block manager nothing of the data model.
#
#   tests/check_layering.sh ROOT            exit 1 and list offending lines if any
#   tests/check_layering.sh --self-test     proves the check catches each kind of planted violation
set -uo pipefail

os_calls='#include *<(boost/asio|boost/beast|rocksdb/|thread>|random>|sys/|unistd\.h|fcntl\.h|dirent\.h|netinet/|arpa/|fstream|filesystem>|chrono>|iostream>)|#include *"absl/time/clock\.h"|std::random_device|std::chrono::(system|steady|high_resolution)_clock|absl::Now\(|[^a-z_.]rand\(\)|std::this_thread|std::thread|[^a-z_]fopen\(|[^a-z_:]open\(|socket\('
os_allowed='^[^:]*/node/assembly/(server|cli_[a-z_]+|config_file)\.(h|cc):'

# grep_src PATTERN DIR: matching lines of DIR's .h and .cc files, as path:line:text
grep_src() { [ -d "$2" ] && grep -rnE "$1" "$2" --include='*.h' --include='*.cc' 2>/dev/null; }

scan() {
  local root=$1
  local hits
  hits=$( (grep_src "$os_calls" "$root/node"; grep_src "$os_calls" "$root/s3") | grep -vE "$os_allowed")
  if [ -n "$hits" ]; then
    echo "node/ and s3/ must reach the OS only through node/env.h (node/assembly/server*, cli_*, config_file* excepted); offending lines:"
    echo "$hits"
    return 1
  fi
  hits=$( (grep_src '#include *"(net|s3|store)/' "$root/node" | grep -v "^$root/node/assembly/"
           grep_src '#include *"sim/' "$root/node"; grep_src '#include *"(net|store|sim)/' "$root/s3"))
  if [ -n "$hits" ]; then
    echo "only node/assembly/ may include net/, s3/ or store/; node/ and s3/ never include sim/, s3/ neither net/ nor store/; offending lines:"
    echo "$hits"
    return 1
  fi
  # Dependencies point one way: the transport knows nothing of S3, blocks nothing of the model.
  hits=$(grep_src '#include *"s3/' "$root/net"; grep_src '#include *"node/model/' "$root/node/block")
  if [ -n "$hits" ]; then
    echo "net/ must not include s3/, node/block/ must not include node/model/; offending lines:"
    echo "$hits"
    return 1
  fi
  return 0
}

if [ "${1:-}" = "--self-test" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/node/assembly" "$tmp/node/block" "$tmp/node/model" "$tmp/s3" "$tmp/net"
  # What the real tree has and must keep being allowed: the daemon's I/O in node/assembly/server*
  # and cli_*, the Node including the S3 API, the daemon including the real ports.
  echo 'int x = 0;' >"$tmp/s3/good.cc"
  echo '#include <fstream>' >"$tmp/node/assembly/config_file.cc"
  echo '#include <boost/asio/signal_set.hpp>' >"$tmp/node/assembly/server.cc"
  echo '#include "net/cli_client.h"' >"$tmp/node/assembly/cli_run.cc"
  echo '#include "s3/api.h"' >"$tmp/node/assembly/node.h"
  echo '#include "store/rocks_kv.h"' >>"$tmp/node/assembly/server.cc"
  if ! scan "$tmp" >/dev/null; then echo "self-test FAILED: a clean tree was refused"; exit 1; fi
  # expect_caught FILE LINE WHAT: planting LINE in FILE must fail the scan; the file goes after.
  expect_caught() {
    local existed=0
    [ -e "$tmp/$1" ] && existed=1 && cp "$tmp/$1" "$tmp/$1.keep"
    echo "$2" >>"$tmp/$1"
    if scan "$tmp" >/dev/null; then echo "self-test FAILED: $3 was not caught"; exit 1; fi
    if [ "$existed" = 1 ]; then mv "$tmp/$1.keep" "$tmp/$1"; else rm "$tmp/$1"; fi
  }
  expect_caught node/bad.cc '#include <thread>' "a planted #include <thread>"
  expect_caught s3/clock.cc 'auto t = std::chrono::system_clock::now();' "a planted system_clock call"
  expect_caught node/main.cc '#include <fstream>' "I/O in node/main.cc (argument dispatch only)"
  expect_caught node/assembly/node.cc '#include <fstream>' "I/O in the Node (node/assembly/node.cc)"
  expect_caught node/model/object.cc '#include "s3/errors.h"' "node/model/ including s3/"
  expect_caught node/membership.cc '#include "net/tls_transport.h"' "node/ including net/ outside node/assembly/"
  expect_caught node/main.cc '#include "store/rocks_kv.h"' "node/main.cc including store/"
  expect_caught node/assembly/node.cc '#include "sim/cluster.h"' "node/assembly/ including sim/"
  expect_caught s3/api.cc '#include "store/fs_disk.h"' "s3/ including store/"
  expect_caught net/server.cc '#include "s3/errors.h"' "net/ including s3/"
  expect_caught node/block/blocks.cc '#include "node/model/object.h"' "node/block/ including node/model/"
  if ! scan "$tmp" >/dev/null; then echo "self-test FAILED: the clean tree was refused after the planted files went"; exit 1; fi
  echo "self-test passed"
  exit 0
fi

scan "${1:?usage: check_layering.sh ROOT | --self-test}" && echo "layering ok"
