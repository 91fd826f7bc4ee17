// bloom/<operation>/<variant>: the bit-packed classic filter over a seeded hash family at about
// 10 bits per key (h = 7), with ns per key and the measured FPR beside the speed.
#include <benchmark/benchmark.h>

#include <memory>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {
namespace {

constexpr size_t kBitsPerKey = 10, kHashes = 7;

// A vocabulary of 2n tokens; the first n are inserted, the last n are never inserted (misses).
std::shared_ptr<const HashFamily> family_for(size_t n) {
  return std::make_shared<HashFamily>(2 * n, kBitsPerKey * n, kHashes, 1);
}

BloomFilter filled(const std::shared_ptr<const HashFamily>& family, size_t n) {
  BloomFilter filter(family);
  for (uint32_t t = 0; t < n; ++t) filter.insert(t);
  return filter;
}

void BM_insert(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const auto family = family_for(n);
  BloomFilter filter(family);
  for (auto _ : state) {
    filter.clear();
    for (uint32_t t = 0; t < n; ++t) filter.insert(t);
    benchmark::ClobberMemory();
  }
  state.counters["ns_per_key"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_contains(benchmark::State& state, bool hits) {
  const auto n = static_cast<size_t>(state.range(0));
  const auto family = family_for(n);
  const BloomFilter filter = filled(family, n);
  const uint32_t first = hits ? 0 : static_cast<uint32_t>(n);
  size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (uint32_t t = first; t < first + n; ++t) found += filter.contains(t);
    benchmark::DoNotOptimize(found);
  }
  state.counters["ns_per_key"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  if (!hits) state.counters["fpr"] = static_cast<double>(found) / static_cast<double>(n);
}

// positives(S) over a whole vocabulary of V tokens for a set of k = 16 (m = 256, h = 6).
void BM_positives(benchmark::State& state) {
  const auto V = static_cast<size_t>(state.range(0));
  const auto family = std::make_shared<HashFamily>(V, 256, 6, 1);
  TokenBatch batch;
  TaskSampler({V, 16}, 2).sample(0, 1, batch);
  BloomFilter filter(family);
  filter.insert(batch.set(0));
  for (auto _ : state) benchmark::DoNotOptimize(filter.positives());
  state.counters["ns_per_token"] =
      benchmark::Counter(static_cast<double>(V) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_insert)->Name("bloom/insert/bitpacked")->RangeMultiplier(10)->Range(10'000, 1'000'000);
BENCHMARK_CAPTURE(BM_contains, hit, true)
    ->Name("bloom/contains_hit/bitpacked")
    ->RangeMultiplier(10)
    ->Range(10'000, 1'000'000);
BENCHMARK_CAPTURE(BM_contains, miss, false)
    ->Name("bloom/contains_miss/bitpacked")
    ->RangeMultiplier(10)
    ->Range(10'000, 1'000'000);
BENCHMARK(BM_positives)->Name("bloom/positives/bitpacked")->RangeMultiplier(4)->Range(4096, 65536);

}  // namespace
}  // namespace bloomnet

BENCHMARK_MAIN();
