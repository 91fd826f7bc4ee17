// peak/multiply_add/<kernels>/threads:<n>: the FMA peak each SIMD kernel set reaches (GFLOP/s);
// peak/triad/threads:<n>: the streaming bandwidth a = b + s c (GB/s). Every GFLOP/s and GB/s
// figure of the other benchmarks is read against these. peak/core_round_trip/threads:2: a cache
// line between two cores and back (ns), which on a VM moves with where the host puts the vCPUs.
#include <benchmark/benchmark.h>

#include <string>

#include "peak.hpp"
#include "register.hpp"

namespace bloomnet {
namespace {

void BM_multiply_add(benchmark::State& state, const KernelSet* kernels, int threads) {
  double gflops = 0.0;
  for (auto _ : state) gflops = bench::measure_peak_gflops(*kernels, threads);
  state.counters["GFLOP/s"] = gflops;
}

void BM_triad(benchmark::State& state, int threads) {
  double gbs = 0.0;
  for (auto _ : state) gbs = bench::measure_triad_gbs(threads);
  state.counters["GB/s"] = gbs;
}

void BM_core_round_trip(benchmark::State& state) {
  double ns = 0.0;
  for (auto _ : state) ns = bench::measure_core_round_trip_ns();
  state.counters["round_trip_ns"] = ns;
}

}  // namespace

void bench::register_benchmarks() {
  const int cores = omp_get_num_procs();
  for (const KernelSet* set : runnable_simd_kernels()) {
    for (int threads = 1; threads <= cores; threads *= 2) {
      benchmark::RegisterBenchmark(
          ("peak/multiply_add/" + std::string(set->name) + "/threads:" + std::to_string(threads))
              .c_str(),
          BM_multiply_add, set, threads)
          ->Iterations(3)
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (int threads = 1; threads <= cores; threads *= 2) {
    benchmark::RegisterBenchmark(("peak/triad/threads:" + std::to_string(threads)).c_str(),
                                 BM_triad, threads)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
  if (cores >= 2) {
    benchmark::RegisterBenchmark("peak/core_round_trip/threads:2", BM_core_round_trip)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace bloomnet
