// Times are wall-clock (a team of threads works while the timing thread waits).
// bloom/<operation>/<variant>/n:<keys>[/threads:<t>]: the filters at 10 bits per key, n from
// 10^4 to 10^8 keys (10^7 for the classic filter, whose family of 2n tokens would not fit, and
// the scalar reference), each run 5 times (min and median in BENCHMARKS.md, so a noisy
// neighbour shows), with ns per key, the filter's bytes and bits per key, and for misses the
// measured FPR beside the speed. Every key is hashed inside the timed loop.
//   bitpacked            the classic filter over a seeded hash family (h = 7)
//   splitblock_scalar    the split-block filter with the scalar reference kernels
//   splitblock_<simd>    the same with the best SIMD kernels this CPU runs
// Operations: insert, contains_hit, contains_miss (one key at a time), contains_batch (misses
// and hits interleaved, through the batched test that keeps memory requests in flight), and for
// the SIMD split-block filter insert_batch / contains_batch on 1 and 2 threads (the library's
// split: by key for tests, by block for inserts).
// bloom/block_reads/<way>/n:<keys>/threads:<t>: the blocks the batched test reads at 10^7 and
// 10^8 keys, read with nothing tested (plain, or requested 32 or 128 keys ahead): what the memory
// alone costs under the batched test.
// bloom/open_mapped/splitblock and bloom/load/splitblock: a 1 GiB filter file opened by memory
// map or read whole, and one key answered.
// peer/<operation>/libbloom: the same insert and contains through Debian's libbloom 1.6 (murmur2,
// 7 hashes at 10 bits per key), linked as the real library, so every ratio comes from one run.
#include <benchmark/benchmark.h>
#include <bloom.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/filter_files.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/random.hpp"
#include "bloomnet/split_block_filter.hpp"
#include "register.hpp"

namespace bloomnet {
namespace {

constexpr double kBitsPerKey = 10.0;
constexpr size_t kHashes = 7;

void count_keys(benchmark::State& state, size_t n) {
  state.counters["ns_per_key"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["keys"] = static_cast<double>(n);
}

// What a row says of its filter: its size (to read against the caches) and bits per key.
void describe_filter(benchmark::State& state, double bytes, size_t n) {
  state.counters["filter_bytes"] = bytes;
  state.counters["bits_per_key"] = 8.0 * bytes / static_cast<double>(n);
}

// 2n distinct random keys: the first n are inserted, the last n never are. Built once per n.
const std::vector<uint64_t>& keys_for(size_t n) {
  static std::map<size_t, std::vector<uint64_t>> cache;
  auto& keys = cache[n];
  if (keys.empty()) {
    CounterRng rng(n, Purpose::kTaskSet, 0);
    keys.resize(2 * n);
    for (uint64_t& k : keys) k = rng.next();  // 64-bit: repeats have chance ~n^2 / 2^64
  }
  return keys;
}

// --- the classic bit-packed filter over a vocabulary of 2n tokens ---------------------------

const std::shared_ptr<const HashFamily>& family_for(size_t n) {
  static std::map<size_t, std::shared_ptr<const HashFamily>> cache;
  auto& family = cache[n];
  if (!family) {
    family = std::make_shared<HashFamily>(2 * n, static_cast<size_t>(kBitsPerKey * n), kHashes, 1);
  }
  return family;
}

void BM_bitpacked_insert(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  BloomFilter filter(family_for(n));
  for (auto _ : state) {
    filter.clear();
    for (uint32_t t = 0; t < n; ++t) filter.insert(t);
    benchmark::ClobberMemory();
  }
  count_keys(state, n);
  describe_filter(state, static_cast<double>(filter.bits().words().size_bytes()), n);
}

void BM_bitpacked_contains(benchmark::State& state, bool hits) {
  const auto n = static_cast<size_t>(state.range(0));
  BloomFilter filter(family_for(n));
  for (uint32_t t = 0; t < n; ++t) filter.insert(t);
  const uint32_t first = hits ? 0 : static_cast<uint32_t>(n);
  size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (uint32_t t = first; t < first + n; ++t) found += filter.contains(t);
    benchmark::DoNotOptimize(found);
  }
  count_keys(state, n);
  describe_filter(state, static_cast<double>(filter.bits().words().size_bytes()), n);
  if (!hits) state.counters["fpr"] = static_cast<double>(found) / static_cast<double>(n);
}

// --- the split-block filter ------------------------------------------------------------------

SplitBlockFilter split_block(size_t n, const KernelSet& kernels) {
  return SplitBlockFilter::with_bits_per_key(n, kBitsPerKey, 1, kernels);
}

// The batched calls' thread count: state.range(1) when the benchmark has it, else 1.
int threads_of(const benchmark::State& state) {
  return state.range(1) > 0 ? static_cast<int>(state.range(1)) : 1;
}

void BM_split_insert(benchmark::State& state, const KernelSet* kernels) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t>& keys = keys_for(n);
  omp_set_num_threads(threads_of(state));
  SplitBlockFilter filter = split_block(n, *kernels);
  const SplitBlockFilter empty = filter;
  for (auto _ : state) {
    state.PauseTiming();
    filter = empty;
    state.ResumeTiming();
    filter.insert(std::span(keys).first(n));
    benchmark::DoNotOptimize(filter);
  }
  count_keys(state, n);
  describe_filter(state, static_cast<double>(filter.bits()) / 8.0, n);
}

void BM_split_contains(benchmark::State& state, const KernelSet* kernels, bool hits) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t>& keys = keys_for(n);
  SplitBlockFilter filter = split_block(n, *kernels);
  filter.insert(std::span(keys).first(n));
  const uint64_t* probe = keys.data() + (hits ? 0 : n);
  size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (size_t i = 0; i < n; ++i) found += filter.contains(probe[i]);
    benchmark::DoNotOptimize(found);
  }
  count_keys(state, n);
  describe_filter(state, static_cast<double>(filter.bits()) / 8.0, n);
  if (!hits) state.counters["fpr"] = static_cast<double>(found) / static_cast<double>(n);
  state.counters["fpr_theory"] = filter.fpr_theory(n);
}

void BM_split_contains_batch(benchmark::State& state, const KernelSet* kernels) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t>& keys = keys_for(n);
  SplitBlockFilter filter = split_block(n, *kernels);
  filter.insert(std::span(keys).first(n));
  std::vector<uint8_t> found(2 * n);
  omp_set_num_threads(threads_of(state));
  for (auto _ : state) {
    filter.contains(keys, found);
    benchmark::DoNotOptimize(found.data());
  }
  count_keys(state, 2 * n);
  describe_filter(state, static_cast<double>(filter.bits()) / 8.0, n);
  size_t false_positives = 0;
  for (size_t i = n; i < 2 * n; ++i) false_positives += found[i];
  state.counters["fpr"] = static_cast<double>(false_positives) / static_cast<double>(n);
}

// The memory under the batched test: the blocks of the same keys in the same filter (its
// memory, its huge pages), read and folded together with nothing tested, split by key over the
// same threads. Two ways: a plain loop, whose loads the core overlaps as far as its out-of-order
// window reaches, and each key's block requested `ahead` keys before it is read, its address
// kept in a ring, as the batched test does past 2 MiB.
void BM_split_block_reads(benchmark::State& state, size_t ahead) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t>& keys = keys_for(n);
  SplitBlockFilter filter = split_block(n, simd_kernels());
  filter.insert(std::span(keys).first(n));
  const auto* words = reinterpret_cast<const uint64_t*>(filter.words().data());
  const size_t blocks = filter.blocks();
  const uint64_t seed = filter.seed();
  auto block = [&](size_t i) {
    return words + 4 * ((block_hash(keys[i], seed) >> 32) * blocks >> 32);
  };
  auto fold = [](const uint64_t* at) { return at[0] ^ at[1] ^ at[2] ^ at[3]; };
  uint64_t folded = 0;
  for (auto _ : state) {
#pragma omp parallel num_threads(threads_of(state)) reduction(^ : folded)
    {
      const size_t threads = omp_get_num_threads(), me = omp_get_thread_num();
      const size_t first = keys.size() * me / threads, end = keys.size() * (me + 1) / threads;
      if (ahead == 0) {
        for (size_t i = first; i < end; ++i) folded ^= fold(block(i));
      } else {
        std::vector<const uint64_t*> ring(ahead);
        const size_t mask = ahead - 1;  // a power of two: the ring index is a mask
        for (size_t i = first; i < std::min(end, first + ahead); ++i) {
          ring[i & mask] = block(i);
          __builtin_prefetch(ring[i & mask]);
        }
        for (size_t i = first; i < end; ++i) {
          folded ^= fold(ring[i & mask]);
          if (i + ahead < end) {
            ring[i & mask] = block(i + ahead);
            __builtin_prefetch(ring[i & mask]);
          }
        }
      }
    }
    benchmark::DoNotOptimize(folded);
  }
  count_keys(state, keys.size());
  describe_filter(state, static_cast<double>(filter.bits()) / 8.0, n);
}

// --- opening a filter file: mapped against loaded ---------------------------------------------

// A split-block filter file of `blocks` blocks in the temporary directory, written once, removed
// at exit.
const std::filesystem::path& filter_file(size_t blocks) {
  static std::map<size_t, std::filesystem::path> files;
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ignored;
      for (const auto& [_, path] : files) std::filesystem::remove(path, ignored);
    }
  } cleanup;
  auto& path = files[blocks];
  if (path.empty()) {
    path = std::filesystem::temp_directory_path() /
           ("bloomnet-bench-" + std::to_string(getpid()) + "-" + std::to_string(blocks));
    SplitBlockFilter filter(blocks, 1);
    filter.insert(std::span(keys_for(1'000'000)));
    save_split_block_filter(path, filter);
  }
  return path;
}

// Opening a file and answering one key, by memory map or by reading the whole file.
void BM_open_filter(benchmark::State& state, bool mapped) {
  const auto blocks = static_cast<size_t>(state.range(0));
  const std::filesystem::path& path = filter_file(blocks);
  const uint64_t key = keys_for(1'000'000)[0];
  for (auto _ : state) {
    const bool found = mapped ? MappedSplitBlockFilter::open(path).view().contains(key)
                              : load_split_block_filter(path).contains(key);
    if (!found) state.SkipWithError("an inserted key was not found");
  }
  state.counters["filter_bytes"] = 32.0 * static_cast<double>(blocks);
}

// --- the peer: libbloom ----------------------------------------------------------------------

// libbloom sizes by a target error: bits per entry = -ln(error) / ln(2)^2.
struct LibBloom {
  bloom filter{};
  explicit LibBloom(size_t n) {
    const double error = std::exp(-kBitsPerKey * std::log(2.0) * std::log(2.0));
    if (bloom_init(&filter, static_cast<int>(n), error) != 0) throw std::bad_alloc();
  }
  ~LibBloom() { bloom_free(&filter); }
  LibBloom(const LibBloom&) = delete;
  LibBloom& operator=(const LibBloom&) = delete;
};

void BM_libbloom_insert(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t>& keys = keys_for(n);
  LibBloom peer(n);
  for (auto _ : state) {
    bloom_reset(&peer.filter);
    for (size_t i = 0; i < n; ++i) bloom_add(&peer.filter, &keys[i], sizeof(uint64_t));
    benchmark::ClobberMemory();
  }
  count_keys(state, n);
  describe_filter(state, static_cast<double>(peer.filter.bytes), n);
  state.counters["hashes"] = peer.filter.hashes;
}

void BM_libbloom_contains(benchmark::State& state, bool hits) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t>& keys = keys_for(n);
  LibBloom peer(n);
  for (size_t i = 0; i < n; ++i) bloom_add(&peer.filter, &keys[i], sizeof(uint64_t));
  const uint64_t* probe = keys.data() + (hits ? 0 : n);
  size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (size_t i = 0; i < n; ++i) found += bloom_check(&peer.filter, &probe[i], 8) == 1;
    benchmark::DoNotOptimize(found);
  }
  count_keys(state, n);
  describe_filter(state, static_cast<double>(peer.filter.bytes), n);
  if (!hits) state.counters["fpr"] = static_cast<double>(found) / static_cast<double>(n);
}

}  // namespace

void bench::register_benchmarks() {
  // Up to 10^7 keys (what fits in the L3 and just past it), or on to 10^8 (DRAM).
  auto up_to = [](int64_t largest) {
    return [largest](benchmark::internal::Benchmark* b) {
      b->ArgName("n")
          ->RangeMultiplier(10)
          ->Range(10'000, largest)
          ->Unit(benchmark::kNanosecond)
          ->UseRealTime();
    };
  };
  const auto cached = up_to(10'000'000), dram = up_to(100'000'000);
  auto threaded = [](benchmark::internal::Benchmark* b) {
    b->ArgNames({"n", "threads"})
        ->ArgsProduct({{10'000, 100'000, 1'000'000, 10'000'000, 100'000'000}, {1, 2}})
        ->Unit(benchmark::kNanosecond)
        ->UseRealTime();
  };
  cached(benchmark::RegisterBenchmark("bloom/insert/bitpacked", BM_bitpacked_insert));
  cached(benchmark::RegisterBenchmark("bloom/contains_hit/bitpacked", BM_bitpacked_contains, true));
  cached(
      benchmark::RegisterBenchmark("bloom/contains_miss/bitpacked", BM_bitpacked_contains, false));
  const KernelSet* best = &simd_kernels();
  for (const KernelSet* kernels : {&scalar_kernels(), best}) {
    const bool simd = kernels == best;
    const std::string variant = "splitblock_" + std::string(simd ? kernels->name : "scalar");
    const auto sizes = simd ? dram : cached;
    auto batched = [&](benchmark::internal::Benchmark* b) { simd ? threaded(b) : cached(b); };
    batched(benchmark::RegisterBenchmark(("bloom/insert/" + variant).c_str(), BM_split_insert,
                                         kernels));
    sizes(benchmark::RegisterBenchmark(("bloom/contains_hit/" + variant).c_str(), BM_split_contains,
                                       kernels, true));
    sizes(benchmark::RegisterBenchmark(("bloom/contains_miss/" + variant).c_str(),
                                       BM_split_contains, kernels, false));
    batched(benchmark::RegisterBenchmark(("bloom/contains_batch/" + variant).c_str(),
                                         BM_split_contains_batch, kernels));
  }
  for (const size_t ahead : {size_t{0}, size_t{32}, size_t{128}}) {
    const std::string way = ahead == 0 ? "plain" : "ahead_" + std::to_string(ahead);
    benchmark::RegisterBenchmark(("bloom/block_reads/" + way).c_str(), BM_split_block_reads, ahead)
        ->ArgNames({"n", "threads"})
        ->ArgsProduct({{10'000'000, 100'000'000}, {1, 2}})
        ->Unit(benchmark::kNanosecond)
        ->UseRealTime();
  }
  for (const bool mapped : {true, false}) {
    // 2^25 blocks: a 1 GiB filter.
    benchmark::RegisterBenchmark(mapped ? "bloom/open_mapped/splitblock" : "bloom/load/splitblock",
                                 BM_open_filter, mapped)
        ->ArgName("blocks")
        ->Arg(int64_t{1} << 25)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  dram(benchmark::RegisterBenchmark("peer/insert/libbloom", BM_libbloom_insert));
  dram(benchmark::RegisterBenchmark("peer/contains_hit/libbloom", BM_libbloom_contains, true));
  dram(benchmark::RegisterBenchmark("peer/contains_miss/libbloom", BM_libbloom_contains, false));
}

}  // namespace bloomnet
