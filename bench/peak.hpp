// This machine's limits, measured the way the kernels would reach them: the multiply-add peak of
// a kernel set on n threads (GFLOP/s), and the streaming bandwidth of a triad a = b + s c (GB/s).
// Benchmarks print their own rates as shares of these.
#pragma once

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstddef>
#include <vector>

#include "bloomnet/kernels.hpp"

namespace bloomnet::bench {

inline double measure_peak_gflops(const KernelSet& kernels, int threads) {
  constexpr size_t kIterations = size_t{1} << 24;
  double flops = 0.0;
  const double start = omp_get_wtime();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
  {
    float sink;
    flops += kernels.probe.multiply_add_peak(kIterations, &sink);
    benchmark::DoNotOptimize(sink);
  }
  return flops / (omp_get_wtime() - start) * 1e-9;
}

// a[i] = b[i] + s c[i] over arrays far larger than the caches; 3 x 8 bytes move per element
// (the write-allocate read of a not counted, as STREAM does).
inline double measure_triad_gbs(int threads, size_t elements = size_t{1} << 25, int rounds = 4) {
  std::vector<double> a(elements), b(elements, 1.0), c(elements, 2.0);
  const double s = 3.0;
  double best = 0.0;
  for (int round = 0; round < rounds; ++round) {
    const double start = omp_get_wtime();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < static_cast<long>(elements); ++i) a[i] = b[i] + s * c[i];
    const double seconds = omp_get_wtime() - start;
    benchmark::DoNotOptimize(a.data());
    best = std::max(best, 24.0 * static_cast<double>(elements) / seconds * 1e-9);
  }
  return best;
}

}  // namespace bloomnet::bench
