#!/usr/bin/env bash
# clang-tidy over lib/ (the generated kernel sources included), cli/, bench/ and the Python
# module's sources (python/src/, when the build has them) with the committed .clang-tidy
# (warnings are errors), using the release build's compile commands, one file per core. Run by
# scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
# The release build is GCC's: its GCC-only warning flags mean nothing to clang-tidy.
# (Its count of warnings suppressed in system headers is noise.)
files=(lib/src/*.cpp lib/src/kernels/*.cpp build/release/lib/generated/*.cpp cli/*.cpp bench/*.cpp)
# The module is built only where pybind11 and the Python headers were found.
[[ -e build/release/python/bloomnet/__init__.py ]] && files+=(python/src/*.cpp)
log=$(mktemp)
commands=$(mktemp -d)
trap 'rm -rf "$log" "$commands"' EXIT
# Clang refuses GCC's -fno-tree-loop-distribute-patterns (the kernels' flag, lib/CMakeLists.txt):
# clang-tidy reads the compile commands without it.
sed 's/ -fno-tree-loop-distribute-patterns//g' build/release/compile_commands.json \
  >"$commands/compile_commands.json"
status=0
# xargs exits non-zero when any clang-tidy did (a finding: warnings are errors).
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$(nproc)" clang-tidy -p "$commands" --quiet \
    --extra-arg=-Wno-unknown-warning-option >"$log" 2>&1 || status=$?
grep -v "warnings generated\.$" "$log" || true
[[ $status -eq 0 ]] || { echo "clang-tidy: findings above" >&2; exit 1; }
echo "clang-tidy: clean (${#files[@]} files)" >&2
