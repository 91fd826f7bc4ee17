// The main() of every benchmark program: register this program's benchmarks, then let Google
// Benchmark parse its flags and run them.
#include <benchmark/benchmark.h>

#include "register.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bloomnet::bench::register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
