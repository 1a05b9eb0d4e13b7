#!/usr/bin/env bash
# Tunables live in options structs and named constants in headers, with their unit in the type
# or the name and their default documented beside them: no duration literal in a .cc of node/
# or s3/ (issue 28 point 3). Size and count literals are not checked yet.
#
#   tests/check_literals.sh ROOT          exit 1 and list offending lines if any
#   tests/check_literals.sh --self-test   proves the check catches a planted literal, and lets
#                                         comments, headers and named values through
set -uo pipefail

duration_literal='absl::(Nanoseconds|Microseconds|Milliseconds|Seconds|Minutes|Hours)\( *[0-9]'

# scan ROOT: the offending lines of ROOT/node and ROOT/s3's .cc files, as path:line:text.
scan() {
  local root=$1 dir
  for dir in "$root/node" "$root/s3"; do
    [ -d "$dir" ] || continue
    grep -rnE "$duration_literal" "$dir" --include='*.cc' |
      grep -vE '^[^:]+:[0-9]+: *//'  # a comment line may give an example
  done
}

if [ "${1:-}" = "--self-test" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/node/x" "$tmp/s3"
  printf '  absl::Duration d = options_.retry_interval;\n  // e.g. absl::Seconds(5)\n' >"$tmp/node/x/clean.cc"
  printf 'struct O { absl::Duration t = absl::Seconds(5); };\n' >"$tmp/node/x/options.h"
  ok=1
  [ -z "$(scan "$tmp")" ] || { echo "self-test: a clean tree was refused:"; scan "$tmp"; ok=0; }
  n=0
  for planted in 'co_await sleep_for(clock, absl::Seconds(2));' 'CallOptions{.timeout = absl::Milliseconds( 500)}' \
                 'if (waited > absl::Minutes(1)) return;'; do
    n=$((n + 1))
    printf '%s\n' "$planted" >"$tmp/s3/planted$n.cc"
    [ -n "$(scan "$tmp")" ] || { echo "self-test: not caught: $planted"; ok=0; }
    rm "$tmp/s3/planted$n.cc"
  done
  printf 'x = absl::Hours(1);\n' >"$tmp/node/x/deep.cc"
  [ -n "$(scan "$tmp")" ] || { echo "self-test: a literal in a subfolder of node/ was not caught"; ok=0; }
  [ $ok = 1 ] && echo "check_literals self-test: a clean tree passes, 4 planted literals are caught"
  [ $ok = 1 ]
  exit
fi

root=${1:?usage: check_literals.sh ROOT | --self-test}
hits=$(scan "$root")
if [ -n "$hits" ]; then
  echo "duration literals in node/ or s3/ .cc files (put them in an options struct or a named constant in a header):"
  echo "$hits"
  exit 1
fi
echo "check_literals: no duration literal in node/ or s3/ .cc files"
