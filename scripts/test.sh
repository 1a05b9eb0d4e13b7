#!/usr/bin/env bash
# The README's test command (and CI's): installs what is missing, builds, runs the whole suite.
#   1. the normal build (RelWithDebInfo, assertions on): every test, real processes included;
#   2. a sanitizer build (ASan + UBSan): the unit, property and simulation tests;
#   3. the simulator gives the same trace in both builds.
# Long simulation soaks and fuzzing runs are separate: scripts/sim-soak.sh, scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh

jobs=$(nproc)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# A fresh clone elsewhere hits the same cache entries: paths are hashed relative to the project.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

run_ctest() {  # run_ctest BUILD_DIR [ctest args...]: prints ctest's output, records its counts
  local dir=$1
  shift
  local log
  log=$(mktemp)
  local rc=0
  (cd "$dir" && ctest -j"$jobs" --output-on-failure "$@") 2>&1 | tee "$log" || rc=$?
  local summary
  summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  rm -f "$log"
  [ -n "$summary" ] || { echo "test.sh: ctest in $dir printed no summary"; exit 1; }
  local failed total
  failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+)/\1/' <<<"$summary")
  total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+)/\2/' <<<"$summary")
  all_failed=$((all_failed + failed))
  all_passed=$((all_passed + total - failed))
  [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
}

all_passed=0
all_failed=0
status=0

echo "== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
run_ctest build || status=1

echo "== sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGARAGE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== unit, property and simulation tests under sanitizers"
# The long checker self-tests (planted bugs over 20-60 seeds, 100-230 s each under ASan) and
# the coverage sweep (every probe reached over 60 seeds: 216 s under ASan) run in the plain
# build only: they test the simulator's checkers and reach, which the plain build runs just the
# same. Seed sweeps run a quarter of their seeds here (tests/sim_sweep.h): they look for memory
# errors, and the plain build gives every seed's verdict.
planted_sweeps='SimS3\.(ListingThatTrustsTheSendersIsCaught|ACompleteRetriedIntoItsOwnUndoIsCaught|BlocksAreCollectedAndAStaleCollectionDecisionIsCaught|ACopyWithoutBlockReferencesIsCaught)|SimTable\.RetiringTheOldLayoutEarlyIsCaughtForEachKindOfChange|SimCoverage\.RarePathsAreReachedAcrossSeeds'
GARAGE_SIM_SWEEP_DIVISOR=4 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-asan -L unit -E "$planted_sweeps" ||
  status=1

echo "== same seed, same trace across builds"
if tests/sim_determinism.sh build/garage-sim build-asan/garage-sim; then
  all_passed=$((all_passed + 1))
else
  all_failed=$((all_failed + 1))
  status=1
fi

echo "test.sh: took $(( $(date +%s) - start ))s"
echo "test.sh: $all_passed passed, $all_failed failed"
exit $status
