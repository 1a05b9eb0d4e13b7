#!/usr/bin/env bash
# Enforces the determinism rule: node/ and s3/ reach the OS only through the ports of
# node/env.h. node/main.cc, the composition root, is the one exception.
#
#   tests/check_layering.sh ROOT            exit 1 and list offending lines if any
#   tests/check_layering.sh --self-test     proves the check catches a planted violation
set -uo pipefail

forbidden='#include *<(boost/asio|boost/beast|rocksdb/|thread>|random>|sys/|unistd\.h|fcntl\.h|dirent\.h|netinet/|arpa/|fstream|filesystem>|chrono>|iostream>)|#include *"(absl/time/clock\.h|net/|store/|sim/)|std::random_device|std::chrono::(system|steady|high_resolution)_clock|absl::Now\(|[^a-z_.]rand\(\)|std::this_thread|std::thread|[^a-z_]fopen\(|[^a-z_:]open\(|socket\('

scan() {
  local root=$1
  local hits=""
  for d in node s3; do
    [ -d "$root/$d" ] || continue
    hits+=$(grep -rnE "$forbidden" "$root/$d" --include='*.h' --include='*.cc' 2>/dev/null | grep -v "^$root/node/main\.cc:")
  done
  if [ -n "$hits" ]; then
    echo "node/ and s3/ must reach the OS only through node/env.h; offending lines:"
    echo "$hits"
    return 1
  fi
  # Dependencies point one way: the transport knows nothing of S3, blocks nothing of the model.
  local deps=""
  [ -d "$root/net" ] && deps+=$(grep -rnE '#include *"s3/' "$root/net" --include='*.h' --include='*.cc' 2>/dev/null)
  [ -d "$root/node/block" ] && deps+=$(grep -rnE '#include *"node/model/' "$root/node/block" --include='*.h' --include='*.cc' 2>/dev/null)
  if [ -n "$deps" ]; then
    echo "net/ must not include s3/, node/block/ must not include node/model/; offending lines:"
    echo "$deps"
    return 1
  fi
  return 0
}

if [ "${1:-}" = "--self-test" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/node" "$tmp/s3"
  echo '#include <thread>' > "$tmp/node/bad.cc"
  echo 'int x = 0;' > "$tmp/s3/good.cc"
  echo '#include <fstream>' > "$tmp/node/main.cc"  # the composition root may do I/O
  if scan "$tmp" >/dev/null; then echo "self-test FAILED: a planted #include <thread> was not caught"; exit 1; fi
  rm "$tmp/node/bad.cc"
  echo 'auto t = std::chrono::system_clock::now();' > "$tmp/s3/clock.cc"
  if scan "$tmp" >/dev/null; then echo "self-test FAILED: a planted system_clock call was not caught"; exit 1; fi
  rm "$tmp/s3/clock.cc"
  mkdir -p "$tmp/net" "$tmp/node/block"
  echo '#include "s3/errors.h"' > "$tmp/net/server.cc"
  if scan "$tmp" >/dev/null; then echo "self-test FAILED: net/ including s3/ was not caught"; exit 1; fi
  rm "$tmp/net/server.cc"
  echo '#include "node/model/object.h"' > "$tmp/node/block/blocks.cc"
  if scan "$tmp" >/dev/null; then echo "self-test FAILED: node/block/ including node/model/ was not caught"; exit 1; fi
  rm "$tmp/node/block/blocks.cc"
  if ! scan "$tmp" >/dev/null; then echo "self-test FAILED: a clean tree was refused"; exit 1; fi
  echo "self-test passed"
  exit 0
fi

scan "${1:?usage: check_layering.sh ROOT | --self-test}" && echo "layering ok"
