// network/forward/<kernels>: the network's batched forward (gather-sum, output GEMM, softmax) with
// the scalar references and with each SIMD kernel set this CPU runs, around a centre (V 16384,
// d 256, k 8, B 64) one dimension at a time, so time can be plotted against V, d, k and B.
// GFLOP/s counts the output GEMM's 2 B d V flops, the bulk of the work.
// network/positives/<way>: one whole-vocabulary query (every token the filter of S reports, S of
// k = 16 tokens) for the same filter, four ways: the exact network's float forward one set at a
// time (float_b1) and in batches of 64 (float_b64, time per set), the bit-packed classic filter
// (bitpacked), the compiled filter testing every token's mask (compiled_masks) and through its
// rows per filter bit (compiled_rows).
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <string>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/task.hpp"
#include "register.hpp"

namespace bloomnet {
namespace {

void count_sets(benchmark::State& state, size_t sets) {
  state.counters["ns_per_set"] =
      benchmark::Counter(static_cast<double>(sets) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_forward(benchmark::State& state, const KernelSet* kernels) {
  const auto V = static_cast<size_t>(state.range(0));
  const auto d = static_cast<size_t>(state.range(1));
  const auto k = static_cast<size_t>(state.range(2));
  const auto B = static_cast<size_t>(state.range(3));
  const Network net = construct_exact(HashFamily(V, d, 4, 1), 20.0f);
  TokenBatch batch;
  TaskSampler({V, k}, 2).sample(0, B, batch);
  Activations act;
  for (auto _ : state) {
    forward(net, batch, act, *kernels);
    benchmark::DoNotOptimize(act.p.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * static_cast<double>(B * d * V) * static_cast<double>(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate);
  count_sets(state, B);
}

enum class Way { kFloatB1, kFloatB64, kBitpacked, kCompiledMasks, kCompiledRows };

void BM_positives(benchmark::State& state, Way way) {
  const auto V = static_cast<size_t>(state.range(0));
  const auto m = static_cast<size_t>(state.range(1));
  constexpr size_t k = 16;
  // h at the classic optimum (m / k) ln 2: about half the filter's bits set by a set of k.
  const auto h =
      std::max<size_t>(1, static_cast<size_t>(std::lround(m / double(k) * std::numbers::ln2)));
  const auto family = std::make_shared<const HashFamily>(V, m, h, 1);
  const size_t B = way == Way::kFloatB64 ? 64 : 1;
  TokenBatch sets;
  TaskSampler({V, k}, 2).sample(0, B, sets);
  size_t positives = 0;
  switch (way) {
    case Way::kFloatB1:
    case Way::kFloatB64: {
      const Network net = construct_exact(*family, 20.0f);
      Activations act;
      for (auto _ : state) {
        forward(net, sets, act);
        positives = 0;
        for (size_t i = 0; i < B * V; ++i) positives += act.z[i] == 0.0f;
        benchmark::DoNotOptimize(positives);
      }
      positives /= B;
      break;
    }
    case Way::kBitpacked: {
      BloomFilter filter(family);
      filter.insert(sets.set(0));
      for (auto _ : state) {
        positives = filter.positives().count();
        benchmark::DoNotOptimize(positives);
      }
      break;
    }
    case Way::kCompiledMasks:
    case Way::kCompiledRows: {
      const CompiledFilter compiled(*family);
      for (auto _ : state) {
        const Bitset p = way == Way::kCompiledRows ? compiled.positives(sets.set(0))
                                                   : compiled.positives_by_masks(sets.set(0));
        positives = p.count();
        benchmark::DoNotOptimize(positives);
      }
      break;
    }
  }
  count_sets(state, B);
  state.counters["positives"] = static_cast<double>(positives);
}

}  // namespace

void bench::register_benchmarks() {
  std::vector<const KernelSet*> sets = {&scalar_kernels()};
  for (const KernelSet* set : runnable_simd_kernels()) sets.push_back(set);
  for (const KernelSet* set : sets) {
    auto* b = benchmark::RegisterBenchmark(("network/forward/" + std::string(set->name)).c_str(),
                                           BM_forward, set);
    b->ArgNames({"V", "d", "k", "B"})->Unit(benchmark::kMicrosecond);
    if (set == &scalar_kernels()) {
      b->Args({16384, 256, 8, 64});  // the reference at the centre only: it takes 0.5 s
      continue;
    }
    for (int64_t V : {1024, 4096, 16384, 65536}) b->Args({V, 256, 8, 64});
    for (int64_t d : {32, 64, 128, 512}) b->Args({16384, d, 8, 64});
    for (int64_t k : {2, 32, 128}) b->Args({16384, 256, k, 64});
    for (int64_t B : {1, 8, 256}) b->Args({16384, 256, 8, B});
  }
  for (const auto& [name, way] :
       {std::pair{"float_b1", Way::kFloatB1}, std::pair{"float_b64", Way::kFloatB64},
        std::pair{"bitpacked", Way::kBitpacked}, std::pair{"compiled_masks", Way::kCompiledMasks},
        std::pair{"compiled_rows", Way::kCompiledRows}}) {
    auto* b = benchmark::RegisterBenchmark(("network/positives/" + std::string(name)).c_str(),
                                           BM_positives, way);
    b->ArgNames({"V", "d"})->Unit(benchmark::kMicrosecond);
    for (int64_t V : {4096, 16384, 65536}) {
      for (int64_t d : {64, 256, 512}) b->Args({V, d});
    }
  }
}

}  // namespace bloomnet
