#!/usr/bin/env bash
# Builds bloomnet and runs every test: the release build's whole CTest suite (-Wall -Wextra
# -Werror; the Python module's pytest suite included, with PyTorch installed so that its interop
# tests run rather than skip), clang-tidy, the suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer (preset asan, which names the tests it leaves out and why), and
# every fuzz target for BLOOMNET_FUZZ_SECONDS seconds each (default 45) from its committed
# corpus. Tests run one at a time: most run OpenMP on every core, and two such tests side by
# side spin in each other's barriers (seen with ctest -j 2: the release suite took no less time,
# its reference training run 4x and its interrupted one 7x as long as alone).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --torch

# Each stage's start, with the minutes since the first: where CI's time goes, in its log.
stage() { echo "== $1 (at $((SECONDS / 60)) min)" >&2; }

stage "release build and tests"
cmake --preset release
cmake --build --preset release
ctest --preset release

stage "clang-tidy on lib/, cli/, bench/ and python/src/"
scripts/tidy.sh

stage "the ASan + UBSan build"
cmake --preset asan
cmake --build --preset asan
stage "the suite under ASan + UBSan"
ctest --preset asan

stage "fuzzing"
scripts/fuzz.sh "${BLOOMNET_FUZZ_SECONDS:-45}"
stage "done"
