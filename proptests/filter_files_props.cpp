// The two filters' files (filter_files.hpp) and what they store: split-block and classic filters
// round-trip exactly, union is the filter of both key sets, the classic filter's members and its
// exact measured FPR, every truncation and every foreign kind refused cleanly, and the errors of
// files that cannot be read or written typed as FileError.
#include <cmath>
#include <memory>

#include "bloomnet/error.hpp"
#include "bloomnet/filter_files.hpp"
#include "bloomnet/random.hpp"
#include "generators.hpp"
#include "scratch.hpp"

namespace bloomnet {
namespace {

using prop::draw;
using prop::draw_set;

std::vector<uint64_t> draw_keys(size_t n) {
  std::vector<uint64_t> keys(n);
  for (uint64_t& key : keys) key = *rc::gen::arbitrary<uint64_t>();
  return keys;
}

SplitBlockFilter draw_split_block_filter() {
  SplitBlockFilter filter(draw<size_t>(1, 200), *rc::gen::arbitrary<uint64_t>());
  filter.insert(draw_keys(draw<size_t>(0, 500)));
  return filter;
}

BloomFilter draw_bloom_filter() {
  const size_t V = draw<size_t>(1, 300), m = draw<size_t>(1, 300);
  const size_t h = draw<size_t>(1, std::min<size_t>(m, 8));
  BloomFilter filter(std::make_shared<HashFamily>(V, m, h, *rc::gen::arbitrary<uint64_t>()));
  filter.insert(draw_set(V, 20));
  return filter;
}

RC_GTEST_PROP(FilterFiles, split_block_filters_round_trip_with_their_key_count, ()) {
  const SplitBlockFilter filter = draw_split_block_filter();
  const SplitBlockFilter back = decode_split_block_filter(encode_split_block_filter(filter));
  RC_ASSERT(back == filter);
  RC_ASSERT(back.keys_inserted() == filter.keys_inserted());
  RC_ASSERT(back.seed() == filter.seed());
}

RC_GTEST_PROP(FilterFiles, bloom_filters_round_trip_with_their_members, ()) {
  const BloomFilter filter = draw_bloom_filter();
  const BloomFilter back = decode_bloom_filter(encode_bloom_filter(filter));
  RC_ASSERT(back.family() == filter.family());
  RC_ASSERT(back.bits() == filter.bits());
  RC_ASSERT(back.members() == filter.members());
}

RC_GTEST_PROP(FilterFiles, every_truncation_and_foreign_kind_is_refused, ()) {
  const bool split_block = *rc::gen::arbitrary<bool>();
  const std::vector<uint8_t> bytes = split_block
                                         ? encode_split_block_filter(draw_split_block_filter())
                                         : encode_bloom_filter(draw_bloom_filter());
  const size_t cut = draw<size_t>(0, bytes.size() - 1);
  const std::span<const uint8_t> truncated(bytes.data(), cut);
  RC_ASSERT_THROWS_AS(decode_split_block_filter(truncated), Error);
  RC_ASSERT_THROWS_AS(decode_bloom_filter(truncated), Error);
  // The whole file read as the other kind.
  if (split_block) {
    RC_ASSERT_THROWS_AS(decode_bloom_filter(bytes), Error);
  } else {
    RC_ASSERT_THROWS_AS(decode_split_block_filter(bytes), Error);
  }
}

RC_GTEST_PROP(SplitBlockFilter, union_is_the_filter_of_both_key_sets, ()) {
  const size_t blocks = draw<size_t>(1, 64);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const std::vector<uint64_t> a = draw_keys(draw<size_t>(0, 300)),
                              b = draw_keys(draw<size_t>(0, 300));
  SplitBlockFilter fa(blocks, seed), fb(blocks, seed), both(blocks, seed);
  fa.insert(a);
  fb.insert(b);
  both.insert(a);
  both.insert(b);
  fa.unite(fb);
  RC_ASSERT(fa == both);
  RC_ASSERT(fa.keys_inserted() == a.size() + b.size());
  RC_ASSERT_THROWS_AS(fa.unite(SplitBlockFilter(blocks + 1, seed)), Error);
  RC_ASSERT_THROWS_AS(fa.unite(SplitBlockFilter(blocks, seed + 1)), Error);
}

RC_GTEST_PROP(BloomFilter, measured_fpr_is_the_share_of_non_members_reported, ()) {
  const BloomFilter filter = draw_bloom_filter();
  const size_t V = filter.family().V(), members = filter.members().count();
  size_t false_positives = 0;
  for (size_t t = 0; t < V; ++t) {
    const bool member = filter.members().test(t);
    RC_ASSERT(!member || filter.contains(static_cast<uint32_t>(t)));  // no false negatives
    false_positives += !member && filter.contains(static_cast<uint32_t>(t));
  }
  const double expected =
      members == V ? 0.0 : static_cast<double>(false_positives) / static_cast<double>(V - members);
  RC_ASSERT(filter.fpr_measured() == expected);
}

TEST(BloomFilter, a_member_whose_bits_are_not_set_is_refused) {
  auto family = std::make_shared<HashFamily>(10, 32, 3, 1);
  Bitset members(10);
  members.set(4);
  EXPECT_THROW(BloomFilter(family, Bitset(32), members), Error);
  EXPECT_THROW(BloomFilter(family, Bitset(31), Bitset(10)), Error);
}

TEST(SplitBlockFilter, measured_fpr_of_random_keys_brackets_the_formula) {
  SplitBlockFilter filter(3907, 11);  // 10^5 keys at 10 bits per key
  CounterRng rng(3, Purpose::kTaskSet, 0);
  std::vector<uint64_t> keys(100000);
  for (uint64_t& key : keys) key = rng.next();
  filter.insert(keys);
  const Measured measured = filter.fpr_measured(1000000, 5);
  EXPECT_LE(measured.ci.lo, filter.fpr_theory(keys.size()));
  EXPECT_GE(measured.ci.hi, filter.fpr_theory(keys.size()));
  // An empty filter reports nothing: 0 with the Poisson bound of no event above it.
  const Measured empty = SplitBlockFilter(10).fpr_measured(1000, 1);
  EXPECT_EQ(empty.value, 0.0);
  EXPECT_GT(empty.ci.hi, 0.0);
}

TEST(FilterFiles, files_that_cannot_be_read_or_written_are_file_errors) {
  scratch::ScratchDir dir;
  EXPECT_THROW(load_split_block_filter(dir.path() / "missing"), FileError);
  EXPECT_THROW(load_bloom_filter(dir.path()), FileError);  // a directory
  EXPECT_THROW(save_split_block_filter(dir.path() / "no" / "such" / "f", SplitBlockFilter(1)),
               FileError);
  // A corrupt file is bad data, not a file problem.
  const std::vector<uint8_t> bytes = encode_split_block_filter(SplitBlockFilter(2));
  try {
    decode_split_block_filter(std::span(bytes.data(), bytes.size() - 1), "cut");
    FAIL() << "a truncated file decoded";
  } catch (const FileError&) {
    FAIL() << "a truncated file is not a FileError";
  } catch (const Error&) {
  }
}

RC_GTEST_PROP(WeightsIo, non_finite_weights_are_named_and_never_written, ()) {
  const size_t V = draw<size_t>(1, 20), d = draw<size_t>(1, 12);
  Network net = prop::draw_network(V, d);
  const int tensor = draw<int>(0, 3);
  const float bad = *rc::gen::element(NAN, INFINITY, -INFINITY);
  std::string expected;
  if (tensor == 0) {
    const size_t t = draw<size_t>(0, V - 1), j = draw<size_t>(0, d - 1);
    net.W_in()[t * d + j] = bad;
    expected = "'W_in' holds " + std::string(std::isnan(bad) ? "NaN" : "infinity") + " at [" +
               std::to_string(t) + ", " + std::to_string(j) + "]";
  } else if (tensor == 1) {
    const size_t j = draw<size_t>(0, d - 1);
    net.b_in()[j] = bad;
    expected = "'b_in' holds " + std::string(std::isnan(bad) ? "NaN" : "infinity") + " at [" +
               std::to_string(j) + "]";
  } else if (tensor == 2) {
    const size_t t = draw<size_t>(0, V - 1), j = draw<size_t>(0, d - 1);
    net.set_W_out(t, j, bad);
    expected = "'W_out' holds " + std::string(std::isnan(bad) ? "NaN" : "infinity") + " at [" +
               std::to_string(t) + ", " + std::to_string(j) + "]";
  } else {
    const size_t t = draw<size_t>(0, V - 1);
    net.b_out()[t] = bad;
    expected = "'b_out' holds " + std::string(std::isnan(bad) ? "NaN" : "infinity") + " at [" +
               std::to_string(t) + "]";
  }
  try {
    encode_weights(net, {});
    RC_FAIL("non-finite weights were encoded");
  } catch (const Error& e) {
    RC_ASSERT(std::string(e.what()).find(expected) != std::string::npos);
  }
}

}  // namespace
}  // namespace bloomnet
