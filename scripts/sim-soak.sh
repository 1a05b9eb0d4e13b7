#!/usr/bin/env bash
# Long simulation runs, outside the test suite: consecutive seeds, varied cluster shapes, until
# the time budget is spent. Prints every failing seed with the command that replays it.
#   scripts/sim-soak.sh [BUDGET_SECONDS=600] [FIRST_SEED=1]
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${1:-600}
seed=${2:-1}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build --target garage-sim >/dev/null || exit 1

shapes=("5 3" "3 3" "9 3" "4 2" "20 3" "7 1")
deadline=$(( $(date +%s) + budget ))
runs=0
failed=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  read -r nodes zones <<<"${shapes[$((seed % ${#shapes[@]}))]}"
  args=(--seed "$seed" --nodes "$nodes" --zones "$zones" --duration 600)
  if ! out=$(build/garage-sim "${args[@]}" 2>&1); then
    failed=$((failed + 1))
    echo "FAIL: build/garage-sim ${args[*]}"
    echo "$out" | grep VIOLATION | head -5
  fi
  runs=$((runs + 1))
  seed=$((seed + 1))
done
echo "sim-soak: $((runs - failed)) passed, $failed failed (seeds up to $((seed - 1)))"
[ "$failed" -eq 0 ]
