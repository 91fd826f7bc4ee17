#!/usr/bin/env bash
# The benchmark report: builds the benchmarks, runs every layer (peak, bloom with its libbloom
# peer, the Python module against bloom, network, train with its PyTorch peer) with
# --benchmark_format=json into reports/bench/, and renders reports/BENCHMARKS.md with tables and
# plots (bench/render.py, matplotlib).
#   bench/run.sh            the full suite (about 25 minutes on 2 cores)
#   bench/run.sh --quick    fewer sizes and shorter runs (a few minutes)
# BLOOMNET_BENCH_DIR overrides the data directory (the report goes beside it as BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "bench/run.sh: unknown option '$arg' (known: --quick)" >&2; exit 2 ;;
  esac
done
scripts/bootstrap.sh --torch
cmake --preset release >/dev/null
cmake --build --preset release --target bloom_bench network_bench peak_bench train_bench _core

data=${BLOOMNET_BENCH_DIR:-reports/bench}
mkdir -p "$data"
bin=build/release/bench
min_time=0.5
bloom_filter=".*"
bloom_repetitions=5  # min and median per row: a noisy neighbour shows
train_filter=".*"
network_filter=".*"
if [[ $quick -eq 1 ]]; then
  min_time=0.1
  bloom_filter="/n:(10000|100000|1000000)(/threads:[12])?$"
  bloom_repetitions=3
  train_filter="-scalar"            # the scalar references take seconds per step
  network_filter="-/d:512$"
fi

run() {  # layer, filter[, repetitions]: the layer's JSON, written whole or not at all
  local layer=$1 filter=$2 repetitions=${3:-1}
  echo "== $layer" >&2
  "$bin/${layer}_bench" --benchmark_format=json --benchmark_min_time=$min_time \
    --benchmark_repetitions="$repetitions" \
    --benchmark_filter="$filter" --benchmark_out="$data/$layer.json.tmp" \
    --benchmark_out_format=json >/dev/null
  mv "$data/$layer.json.tmp" "$data/$layer.json"
}
run peak ".*"
run bloom "$bloom_filter" "$bloom_repetitions"
run network "$network_filter"
run train "$train_filter"
echo "== the Python module against bloom_bench" >&2
PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py --bloom-bench "$bin/bloom_bench" \
  --min-seconds "$min_time" --repetitions $([[ $quick -eq 1 ]] && echo 3 || echo 7) \
  --json "$data/python.json" >&2
echo "== PyTorch peer" >&2
/usr/bin/python3 bench/peers/compare_train.py --min-seconds "$min_time" \
  --json "$data/torch.json.tmp" >&2
mv "$data/torch.json.tmp" "$data/torch.json"
/usr/bin/python3 bench/render.py "$data" "$(dirname "$data")/BENCHMARKS.md"
echo "benchmarks: $(dirname "$data")/BENCHMARKS.md" >&2
