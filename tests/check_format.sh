#!/usr/bin/env bash
# Every C++ file of the repository is formatted as .clang-format says (Debian 12's clang-format
# 14, installed by scripts/install-deps.sh).
#
#   tests/check_format.sh ROOT          exit 1 and name each file clang-format would change
#   tests/check_format.sh --self-test   proves the check fails on a misformatted file, passes on a clean one
#   clang-format -i FILE...             fixes them
set -uo pipefail

command -v clang-format >/dev/null || { echo "check_format: clang-format is missing (scripts/install-deps.sh)"; exit 1; }

# check FILE...: the files clang-format would change, one per line (the style comes from the
# .clang-format above each file). One clang-format for all: it names each file in its errors.
check() {
  local out
  out=$(clang-format --dry-run --Werror "$@" 2>&1) && return 0
  local files
  files=$(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort -u)
  echo "${files:-$out}"  # no file named: clang-format failed otherwise; show why
  return 1
}

if [ "${1:-}" = "--self-test" ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp "$here/.clang-format" "$tmp/"
  printf 'int add(int a, int b) { return a + b; }\n' >"$tmp/clean.cc"
  printf 'int  add( int a,int b ){return a+b;}\n' >"$tmp/spacing.cc"
  printf 'int f() {\n\treturn 1;\n}\n' >"$tmp/tabs.cc"
  long=$(printf 'x%.0s' $(seq 1 130))
  printf 'int %s = 1;  int y = 2;\n' "$long" >"$tmp/two_statements.cc"
  ok=1
  check "$tmp/clean.cc" >/dev/null || { echo "self-test: a clean file was refused"; ok=0; }
  for planted in spacing tabs two_statements; do
    check "$tmp/$planted.cc" >/dev/null && { echo "self-test: $planted.cc was not caught"; ok=0; }
  done
  [ $ok = 1 ] && echo "check_format self-test: 1 clean file passes, 3 planted ones are caught"
  [ $ok = 1 ]
  exit
fi

root=${1:?usage: check_format.sh ROOT | --self-test}
cd "$root" || exit 1
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find . -name '*.cc' -o -name '*.h' | grep -v '^./build')
[ ${#files[@]} -gt 0 ] || { echo "check_format: no C++ files under $root"; exit 1; }
if bad=$(check "${files[@]}"); then
  echo "check_format: ${#files[@]} files formatted as .clang-format says"
else
  echo "check_format: clang-format would change these files (run clang-format -i on them):"
  echo "$bad"
  exit 1
fi
