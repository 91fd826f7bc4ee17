// This machine's limits, measured the way the kernels would reach them: the multiply-add peak of
// a kernel set on n threads (GFLOP/s), the streaming bandwidth of a triad a = b + s c (GB/s), and
// the time a cache line takes between two cores and back (ns). Benchmarks print their own rates as
// shares of these.
#pragma once

#include <benchmark/benchmark.h>
#include <omp.h>

#include <atomic>
#include <cmath>
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

// Two threads hand a counter back and forth, `rounds` times after a barrier: ns per round trip
// of its cache line (NaN where the team gets one thread). On a VM this says where the host put
// the two vCPUs, which it changes from minute to minute: on this project's 2-core VM about 100 ns
// when they share a cache and 400 when they do not, and a two-thread step at (1024, 4, 64, 256),
// whose parallel regions and barriers move data between the cores, then takes 0.32 and 0.49 ms.
inline double measure_core_round_trip_ns(int rounds = 50000) {
  alignas(64) std::atomic<int> turn{0};
  double seconds = NAN;
#pragma omp parallel num_threads(2)
  if (omp_get_num_threads() == 2) {
    const int me = omp_get_thread_num();
#pragma omp barrier
    const double start = omp_get_wtime();
    for (int round = 0; round < rounds; ++round) {
      // Thread 0 moves the count from even to odd, thread 1 back: one round, two transfers. A
      // plain spin: a pause instruction would add its own latency to what is measured.
      const int mine = 2 * round + me;
      while (turn.load(std::memory_order_acquire) != mine) {
      }
      turn.store(mine + 1, std::memory_order_release);
    }
    if (me == 0) seconds = omp_get_wtime() - start;
  }
  return seconds / rounds * 1e9;
}

}  // namespace bloomnet::bench
