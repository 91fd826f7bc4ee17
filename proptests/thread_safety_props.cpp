// Concurrent const queries from more threads than the machine has cores return exactly the
// sequential answers: Bloom filters (contains, positives), the split-block filter (single and
// batched contains), the compiled filter (both query forms) and the network's forward pass (one
// Activations per thread). Each header states this guarantee; this checks it.
#include <memory>
#include <thread>
#include <vector>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/split_block_filter.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// Runs query(thread) on `threads` threads at once and returns their results in thread order.
template <class Query>
auto concurrently(size_t threads, Query query) {
  std::vector<decltype(query(size_t{0}))> results(threads);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back([&, t] { results[t] = query(t); });
  for (std::thread& thread : pool) thread.join();
  return results;
}

RC_GTEST_PROP(ThreadSafety, concurrent_queries_equal_sequential_answers, ()) {
  const size_t threads = 4 * std::max(1u, std::thread::hardware_concurrency());
  const size_t V = draw<size_t>(1, 2000), m = draw<size_t>(8, 256);
  const auto family =
      std::make_shared<const HashFamily>(V, m, draw<size_t>(1, 6), *rc::gen::arbitrary<uint64_t>());
  // One set per thread, so every thread asks something different.
  TokenBatch sets;
  for (size_t t = 0; t < threads; ++t) sets.add(prop::draw_set(V, 12));

  BloomFilter bloom(family);
  bloom.insert(sets.set(0));
  std::vector<uint8_t> contains(V);
  for (uint32_t t = 0; t < V; ++t) contains[t] = bloom.contains(t);
  for (const auto& r : concurrently(threads, [&](size_t) {
         std::vector<uint8_t> out(V);
         for (uint32_t t = 0; t < V; ++t) out[t] = bloom.contains(t);
         return std::make_pair(out, bloom.positives());
       })) {
    RC_ASSERT(r.first == contains);
    RC_ASSERT(r.second == bloom.positives());
  }

  const CompiledFilter compiled(*family);
  std::vector<Bitset> expected;
  for (size_t t = 0; t < threads; ++t) expected.push_back(compiled.positives(sets.set(t)));
  const auto by_rows =
      concurrently(threads, [&](size_t t) { return compiled.positives(sets.set(t)); });
  const auto by_masks =
      concurrently(threads, [&](size_t t) { return compiled.positives_by_masks(sets.set(t)); });
  RC_ASSERT(by_rows == expected);
  RC_ASSERT(by_masks == expected);

  SplitBlockFilter split(draw<size_t>(1, 64), *rc::gen::arbitrary<uint64_t>());
  std::vector<uint64_t> keys(V);
  for (size_t t = 0; t < V; ++t) keys[t] = t * 0x9e3779b97f4a7c15ULL;
  split.insert(std::span(keys).first(V / 2));
  std::vector<uint8_t> answers(V);
  split.contains(keys, answers);
  for (const auto& r : concurrently(threads, [&](size_t t) {
         std::vector<uint8_t> batched(V), single(V);
         split.contains(keys, batched);
         for (size_t i = 0; i < V; ++i) single[(i + t) % V] = split.contains(keys[(i + t) % V]);
         return std::make_pair(batched, single);
       })) {
    RC_ASSERT(r.first == answers);
    RC_ASSERT(r.second == answers);
  }

  const Network net = construct_exact(*family, 20.0f);
  Activations sequential;
  forward(net, sets, sequential);
  for (const auto& z : concurrently(threads, [&](size_t) {
         Activations act;
         forward(net, sets, act);
         return act.z;
       })) {
    RC_ASSERT(z == sequential.z);
  }
}

}  // namespace
}  // namespace bloomnet
