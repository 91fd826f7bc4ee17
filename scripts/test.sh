#!/usr/bin/env bash
# Builds bloomnet and runs every test: the release build's whole CTest suite, then the property
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer (preset asan).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

echo "== release build and tests" >&2
cmake --preset release
cmake --build --preset release
ctest --preset release

echo "== property tests under ASan + UBSan" >&2
cmake --preset asan
cmake --build --preset asan --target bloomnet_props
ctest --preset asan -R '^props\.'
