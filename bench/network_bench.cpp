// network/forward_exact/<kernels>: the exact network's batched forward (gather-sum, output GEMM,
// softmax) with the scalar references and with each SIMD kernel set this CPU runs, over V, d, B.
// GFLOP/s counts the output GEMM's 2 B d V flops, the bulk of the work.
#include <benchmark/benchmark.h>

#include <string>

#include "bloomnet/construct.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {
namespace {

void BM_forward_exact(benchmark::State& state, const KernelSet* kernels) {
  const auto V = static_cast<size_t>(state.range(0));
  const auto d = static_cast<size_t>(state.range(1));
  const auto B = static_cast<size_t>(state.range(2));
  const HashFamily family(V, d, 4, 1);
  const Network net = construct_exact(family, 20.0f);
  TokenBatch batch;
  TaskSampler({V, 8}, 2).sample(0, B, batch);
  Activations act;
  for (auto _ : state) {
    forward(net, batch, act, *kernels);
    benchmark::DoNotOptimize(act.p.data());
  }
  const double flops = 2.0 * static_cast<double>(B * d * V);
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * static_cast<double>(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
  state.counters["ns_per_set"] =
      benchmark::Counter(static_cast<double>(B) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void register_all() {
  std::vector<const KernelSet*> sets = {&scalar_kernels()};
  for (const KernelSet* set : runnable_simd_kernels()) sets.push_back(set);
  for (const KernelSet* set : sets) {
    auto* b = benchmark::RegisterBenchmark(
        ("network/forward_exact/" + std::string(set->name)).c_str(), BM_forward_exact, set);
    b->ArgNames({"V", "d", "B"})->Unit(benchmark::kMicrosecond);
    for (int64_t V : {4096, 16384, 65536}) {
      for (int64_t d : {64, 256}) {
        for (int64_t B : {1, 64}) b->Args({V, d, B});
      }
    }
  }
}

}  // namespace
}  // namespace bloomnet

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bloomnet::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
