#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (clang), outside the test suite.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=60]
# Works on a copy of each seed corpus under build-fuzz/; new crashers land in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGARAGE_FUZZ=ON >/dev/null
targets=$(cd fuzz && ls -d corpus/*/ | xargs -n1 basename)
cmake --build build-fuzz --target $targets
for t in $targets; do
  mkdir -p "build-fuzz/corpus/$t"
  cp -n "fuzz/corpus/$t/"* "build-fuzz/corpus/$t/" 2>/dev/null || true
  echo "== fuzzing $t for ${seconds}s"
  (cd build-fuzz && "fuzz/$t" -max_total_time="$seconds" -max_len=65536 "corpus/$t")
done
