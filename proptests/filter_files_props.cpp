// The two filters' files (filter_files.hpp) and what they store: split-block and classic filters
// round-trip exactly, union is the filter of both key sets, the classic filter's members and its
// exact measured FPR, every truncation and every foreign kind refused cleanly, and the errors of
// files that cannot be read or written typed as FileError. A mapped file answers as the filter it
// holds; batched calls give the same bits and answers on any number of threads.
#include <omp.h>

#include <cmath>
#include <fstream>
#include <memory>

#include "bloomnet/error.hpp"
#include "bloomnet/filter_files.hpp"
#include "bloomnet/huge_page_allocator.hpp"
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

RC_GTEST_PROP(SplitBlockFilter, batched_calls_give_the_same_bits_and_answers_on_any_threads, ()) {
  // Past the sizes where batched calls split among threads (inserts: 32 MiB filters).
  const size_t blocks = draw<size_t>(size_t{1} << 20, (size_t{1} << 20) + 10000);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  CounterRng rng(seed, Purpose::kTaskSet, 1);
  std::vector<uint64_t> keys(draw<size_t>(66000, 90000));  // half of them inserted
  for (uint64_t& key : keys) key = rng.next();
  SplitBlockFilter one_at_a_time(blocks, seed);
  for (uint64_t key : std::span(keys).first(keys.size() / 2)) one_at_a_time.insert(key);
  std::vector<uint8_t> expected(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) expected[i] = one_at_a_time.contains(keys[i]);
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    SplitBlockFilter batched(blocks, seed);
    batched.insert(std::span(keys).first(keys.size() / 2));
    std::vector<uint8_t> found(keys.size());
    batched.contains(keys, found);
    omp_set_num_threads(omp_get_num_procs());
    RC_ASSERT(batched == one_at_a_time);
    RC_ASSERT(found == expected);
  }
}

RC_GTEST_PROP(SplitBlockFilter, inserts_into_disjoint_block_ranges_make_the_whole_insert, ()) {
  const size_t blocks = draw<size_t>(1, 500);
  const size_t cut = draw<size_t>(0, blocks);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  // Past a kernel's chunk of gathered keys (2048) too.
  const std::vector<uint64_t> keys = draw_keys(draw<size_t>(0, 5000));
  for (const KernelSet* kernels : {&scalar_kernels(), &simd_kernels()}) {
    // 64-byte aligned, as a filter's lanes are (the kernels insert with aligned stores).
    std::vector<uint32_t, HugePageAllocator<uint32_t>> whole(8 * blocks, 0), parts(8 * blocks, 0);
    kernels->filter.block_insert(whole.data(), blocks, seed, keys.data(), keys.size(), 0, blocks);
    kernels->filter.block_insert(parts.data(), blocks, seed, keys.data(), keys.size(), 0, cut);
    kernels->filter.block_insert(parts.data(), blocks, seed, keys.data(), keys.size(), cut, blocks);
    RC_ASSERT(whole == parts);
  }
}

RC_GTEST_PROP(MappedSplitBlockFilter, answers_as_the_filter_it_maps, ()) {
  scratch::ScratchDir dir;
  const SplitBlockFilter filter = draw_split_block_filter();
  save_split_block_filter(dir.path() / "filter", filter);
  const MappedSplitBlockFilter mapped = MappedSplitBlockFilter::open(dir.path() / "filter");
  const SplitBlockFilterView& view = mapped.view();
  RC_ASSERT(view.blocks() == filter.blocks() && view.seed() == filter.seed());
  RC_ASSERT(view.keys_inserted() == filter.keys_inserted());
  RC_ASSERT(std::equal(view.words().begin(), view.words().end(), filter.words().begin(),
                       filter.words().end()));
  const std::vector<uint64_t> probes = draw_keys(300);
  std::vector<uint8_t> expected(probes.size()), found(probes.size());
  filter.contains(probes, expected);
  view.contains(probes, found);
  RC_ASSERT(found == expected);
  for (size_t i = 0; i < probes.size(); ++i) RC_ASSERT(view.contains(probes[i]) == expected[i]);
  RC_ASSERT(view.fpr_theory(100) == filter.fpr_theory(100));
}

TEST(MappedSplitBlockFilter, refuses_what_is_not_a_whole_filter_file) {
  scratch::ScratchDir dir;
  EXPECT_THROW(MappedSplitBlockFilter::open(dir.path() / "missing"), FileError);
  EXPECT_THROW(MappedSplitBlockFilter::open(dir.path()), FileError);
  const std::vector<uint8_t> bytes = encode_split_block_filter(SplitBlockFilter(4, 1));
  for (size_t cut : {size_t{0}, size_t{7}, bytes.size() / 2, bytes.size() - 1}) {
    std::ofstream(dir.path() / "cut", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(cut));
    EXPECT_THROW(MappedSplitBlockFilter::open(dir.path() / "cut"), Error) << cut;
  }
  auto family = std::make_shared<HashFamily>(10, 64, 2, 1);
  save_bloom_filter(dir.path() / "classic", BloomFilter(family));
  EXPECT_THROW(MappedSplitBlockFilter::open(dir.path() / "classic"), Error);
}

TEST(SplitBlockFilter, large_filters_sit_on_huge_page_boundaries) {
  // One block is 32 bytes: 2^16 blocks make 2 MiB, asked for as huge pages.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(SplitBlockFilter(3).words().data()) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(SplitBlockFilter(1 << 16).words().data()) % (2 << 20), 0u);
}

}  // namespace
}  // namespace bloomnet
