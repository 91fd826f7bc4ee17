#!/usr/bin/env bash
# Builds bloomnet and runs every test: the release build's whole CTest suite (-Wall -Wextra
# -Werror; the Python module's pytest suite included, with PyTorch installed so that its interop
# tests run rather than skip), clang-tidy, the whole suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer (preset asan; the qemu tests aside, see below), and every
# fuzz target for BLOOMNET_FUZZ_SECONDS seconds each (default 45) from its committed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --torch

echo "== release build and tests" >&2
cmake --preset release
cmake --build --preset release
ctest --preset release

echo "== clang-tidy on lib/, cli/, bench/ and python/src/" >&2
scripts/tidy.sh

echo "== the whole suite under ASan + UBSan" >&2
# Aside: the qemu portability tests; qemu-user cannot host ASan's shadow memory.
cmake --preset asan
cmake --build --preset asan
ctest --preset asan -E '^portability\.'

echo "== fuzzing" >&2
scripts/fuzz.sh "${BLOOMNET_FUZZ_SECONDS:-45}"
