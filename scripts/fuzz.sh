#!/usr/bin/env bash
# Fuzzes every reader of outside data with libFuzzer (preset fuzz: clang, ASan + UBSan):
#   scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 60), from the committed corpus
# Targets: fuzz_weights (weights files and checkpoints), fuzz_filter_files (compiled, split-block and classic filter files),
# fuzz_sweep_csv (sweep CSVs, shards, resumed outputs), fuzz_options (--shard, names, training
# configurations), fuzz_cli_numbers (numeric options and comma lists as the commands declare
# them). Inputs that grow coverage go to build/fuzz/corpus/<target> (not versioned); a crash is
# written to proptests/fuzz/regressions/<target>/, which CTest then replays forever (commit it
# with the fix), and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 2; }
scripts/bootstrap.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
for target in fuzz_weights fuzz_filter_files fuzz_sweep_csv fuzz_options fuzz_cli_numbers; do
  work=build/fuzz/corpus/$target
  crashes=proptests/fuzz/regressions/$target
  mkdir -p "$work" "$crashes"
  echo "== $target for $seconds s" >&2
  log=build/fuzz/$target.log
  status=0
  build/fuzz/proptests/fuzz/$target -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work" "proptests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  grep -E "^stat::(number_of_executed_units|new_units_added)|ERROR|SUMMARY|Test unit written" \
    "$log" >&2 || true
  [[ $status -eq 0 ]] || { echo "fuzz.sh: $target failed (log $log, input in $crashes)" >&2; exit 1; }
done
