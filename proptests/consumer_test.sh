#!/usr/bin/env bash
# The installed package end to end (CTest: consumer.installed_package_builds_runs_and_reports):
#   1. `cmake --install BUILD` into a fresh prefix;
#   2. a project outside bloomnet (proptests/consumer, whose main.cpp is README's library
#      example, checked below) configured with find_package(bloomnet), built, run;
#   3. the prefix copied elsewhere and its `bloomnet report --quick` run with the source and build
#      trees out of reach (a private mount namespace hides them under an empty tmpfs when this
#      runs as root), so the program must find its renderer relative to itself; where the build
#      has the Python module, the moved prefix's module imported and run the same way.
#   consumer_test.sh SOURCE_DIR BUILD_DIR GENERATOR BUILD_TYPE CXX_COMPILER "CXX_FLAGS" "LINKER_FLAGS"
set -euo pipefail
source_dir=$1 build_dir=$2 generator=$3 build_type=$4 compiler=$5 cxx_flags=$6 linker_flags=$7
work=$(mktemp -d /tmp/bloomnet-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== README's example is the consumer's main.cpp"
awk '/^#+ Using the library/ {section = 1} section && /^```cpp$/ {code = 1; next}
     code && /^```$/ {exit} code {print}' "$source_dir/README.md" >"$work/readme_example.cpp"
diff -u "$source_dir/proptests/consumer/main.cpp" "$work/readme_example.cpp"

echo "== cmake --install into a fresh prefix"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
for installed in bin/bloomnet share/bloomnet/render.py include/bloomnet/network.hpp \
                 lib/cmake/bloomnet/bloomnetConfig.cmake; do
  [[ -e "$work/prefix/$installed" ]] || { echo "not installed: $installed" >&2; exit 1; }
done

echo "== a project outside bloomnet: find_package(bloomnet), build, run"
cmake -S "$source_dir/proptests/consumer" -B "$work/consumer" -G "$generator" \
  -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_CXX_COMPILER="$compiler" \
  -DCMAKE_CXX_FLAGS="$cxx_flags" -DCMAKE_EXE_LINKER_FLAGS="$linker_flags" \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer"

echo "== the installed program, moved, with the source tree out of reach"
cp -a "$work/prefix" "$work/moved"
rm -rf "$work/prefix"
run_report="cd '$work' && '$work/moved/bin/bloomnet' report --quick --out '$work/report' >/dev/null"
if [[ -e "$build_dir/python/bloomnet/__init__.py" ]]; then
  module=$(find "$work/moved" -name '_core*.so' -path '*/bloomnet/*')
  [[ -n "$module" ]] || { echo "not installed: the Python module" >&2; exit 1; }
  packages=$(dirname "$(dirname "$module")")
  cat >"$work/use_module.py" <<PYTHON
import bloomnet
assert bloomnet.__file__.startswith("$packages"), bloomnet.__file__
net = bloomnet.construct(V=50, m=16, h=2)
assert {1, 2} <= set(net.positives([1, 2]))
print("the installed Python module imports from", "$packages")
PYTHON
  run_report+=" && PYTHONPATH='$packages' /usr/bin/python3 '$work/use_module.py'"
fi
if [[ $(id -u) -eq 0 ]] && unshare --mount --propagation private true 2>/dev/null; then
  unshare --mount --propagation private bash -c \
    "mount -t tmpfs bloomnet-hidden '$build_dir' && mount -t tmpfs bloomnet-hidden '$source_dir' &&
     [[ -z \$(ls -A '$source_dir') ]] && $run_report"
  echo "(source tree $source_dir and build tree $build_dir hidden)"
else
  bash -c "$run_report"
  echo "(not root: source and build trees left in place)"
fi
for produced in REPORT.md report.json eps_vs_width.png compare/w_in_heatmap.png; do
  [[ -s "$work/report/$produced" ]] || { echo "the report lacks $produced" >&2; exit 1; }
done
echo "installed package: built, ran, reported"
