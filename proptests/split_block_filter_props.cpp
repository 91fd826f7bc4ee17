// The split-block filter (split_block_filter.hpp): no false negatives, every SIMD kernel set equal
// to the scalar reference bit for bit, batched answers equal to single ones, and a measured FPR
// inside a band around its own (blocked) formula.
#include <cmath>

#include "bloomnet/error.hpp"
#include "bloomnet/random.hpp"
#include "bloomnet/split_block_filter.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

std::vector<uint64_t> draw_keys(size_t n, uint64_t stream) {
  std::vector<uint64_t> keys(n);
  CounterRng rng(stream, Purpose::kTaskSet, 99);
  for (uint64_t& k : keys) k = rng.next();
  return keys;
}

RC_GTEST_PROP(SplitBlockFilter, simd_kernels_equal_the_scalar_reference, ()) {
  const size_t blocks = draw<size_t>(1, 300);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const std::vector<uint64_t> keys = draw_keys(draw<size_t>(0, 3000), seed);
  const std::vector<uint64_t> probes = draw_keys(500, seed + 1);
  SplitBlockFilter reference(blocks, seed, scalar_kernels());
  reference.insert(keys);
  std::vector<uint8_t> expected(probes.size());
  for (size_t i = 0; i < probes.size(); ++i) expected[i] = reference.contains(probes[i]);
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    SplitBlockFilter simd(blocks, seed, *kernels);
    for (uint64_t k : keys) simd.insert(k);  // one at a time here, all at once above
    RC_ASSERT(simd == reference);
    std::vector<uint8_t> batched(probes.size());
    simd.contains(probes, batched);
    RC_ASSERT(batched == expected);
    for (size_t i = 0; i < probes.size(); ++i) RC_ASSERT(simd.contains(probes[i]) == expected[i]);
    for (uint64_t k : keys) RC_ASSERT(simd.contains(k));  // no false negatives
  }
}

RC_GTEST_PROP(SplitBlockFilter, batched_calls_equal_the_scalar_reference_at_every_filter_size, ()) {
  // The batched loops go two ways by the filter's size (a plain loop up to 2 MiB, keys requested
  // 128 ahead past that): sizes on both sides.
  const size_t blocks =
      *rc::gen::oneOf(rc::gen::inRange<size_t>(1, 65537), rc::gen::inRange<size_t>(65537, 80000));
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  // Fewer and more keys than the distance ahead.
  const std::vector<uint64_t> keys = draw_keys(draw<size_t>(0, 4000), seed);
  const std::vector<uint64_t> probes = draw_keys(draw<size_t>(0, 2000), seed + 1);
  SplitBlockFilter reference(blocks, seed, scalar_kernels());
  for (uint64_t k : keys) reference.insert(k);
  std::vector<uint8_t> expected(probes.size());
  for (size_t i = 0; i < probes.size(); ++i) expected[i] = reference.contains(probes[i]);
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    SplitBlockFilter simd(blocks, seed, *kernels);
    simd.insert(keys);
    RC_ASSERT(simd == reference);
    std::vector<uint8_t> batched(probes.size());
    simd.contains(probes, batched);
    RC_ASSERT(batched == expected);
  }
}

RC_GTEST_PROP(SplitBlockFilter, measured_fpr_matches_the_blocked_formula, ()) {
  const size_t blocks = draw<size_t>(64, 512);
  const double bits_per_key = draw<int>(4, 16);
  const auto n = static_cast<size_t>(static_cast<double>(blocks) * 256.0 / bits_per_key);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  SplitBlockFilter filter(blocks, seed);
  filter.insert(draw_keys(n, seed));
  const std::vector<uint64_t> probes = draw_keys(40000, seed + 1);
  std::vector<uint8_t> found(probes.size());
  filter.contains(probes, found);
  double positives = 0;
  for (uint8_t f : found) positives += f;
  const double measured = positives / static_cast<double>(probes.size());
  const double theory = filter.fpr_theory(n);
  // Binomial noise of the probes plus the spread between filters (block loads), which the
  // formula averages over: 5 sigma and 15% of the value.
  const double sigma = std::sqrt(theory * (1 - theory) / static_cast<double>(probes.size()));
  RC_ASSERT(std::abs(measured - theory) <= 5 * sigma + 0.15 * theory);
}

TEST(SplitBlockFilter, sizing_meets_its_targets) {
  // SPEC section 3: about 10.6 bits per key give 1%.
  const size_t n = 1'000'000;
  const double at = split_block_fpr(n, static_cast<size_t>(n * 10.6 / 256));
  EXPECT_NEAR(at, 0.01, 0.0007);
  const SplitBlockFilter sized = SplitBlockFilter::for_fpr(n, 0.01);
  EXPECT_LE(sized.fpr_theory(n), 0.01);
  EXPECT_GT(split_block_fpr(n, sized.blocks() - 1), 0.01);
  EXPECT_EQ(SplitBlockFilter::with_bits_per_key(n, 10.0).bits(), (n * 10 + 255) / 256 * 256);
  EXPECT_EQ(split_block_fpr(0, 10), 0.0);
  EXPECT_NEAR(split_block_fpr(1'000'000, 1), 1.0, 1e-9);  // crowded: every bit set
  EXPECT_THROW(SplitBlockFilter(0), Error);
  EXPECT_THROW(SplitBlockFilter::with_bits_per_key(10, 0.0), Error);
  EXPECT_THROW(SplitBlockFilter::for_fpr(10, 1.5), Error);
  std::vector<uint8_t> short_out(1);
  const std::vector<uint64_t> two = {1, 2};
  EXPECT_THROW(SplitBlockFilter(4).contains(two, short_out), Error);
}

RC_GTEST_PROP(SplitBlockFilter, token_positives_are_the_contained_tokens, ()) {
  const size_t V = draw<size_t>(1, 3000);
  SplitBlockFilter filter(draw<size_t>(1, 40), *rc::gen::arbitrary<uint64_t>());
  for (uint32_t t : prop::draw_set(V, 200)) filter.insert(t);
  const Bitset positives = filter.positives(V);
  for (size_t t = 0; t < V; ++t) RC_ASSERT(positives.test(t) == filter.contains(t));
}

}  // namespace
}  // namespace bloomnet
