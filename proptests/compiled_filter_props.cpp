// The compiled filter (compiled_filter.hpp): the same positives as the bit-packed Bloom filter over
// the same family, and a file format that round-trips and refuses damage.
#include <cstring>
#include <memory>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/compile.hpp"
#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// Seeded families, or explicit ones with a different number of positions per token (what a
// trained network's hashes look like), empty hashes included.
HashFamily draw_family() {
  const size_t V = draw<size_t>(1, 300), m = draw<size_t>(1, 300);
  if (*rc::gen::arbitrary<bool>()) {
    return HashFamily(V, m, draw<size_t>(1, std::min<size_t>(m, 12)),
                      *rc::gen::arbitrary<uint64_t>());
  }
  std::vector<std::vector<uint32_t>> positions(V);
  for (auto& p : positions) p = prop::draw_set(m, 12);
  return HashFamily::from_positions(m, positions);
}

// Whole-vocabulary queries three ways give one answer: the bit-packed filter, the compiled masks
// (both layouts, every kernel set) and, for seeded families, the exact network's P(S).
RC_GTEST_PROP(CompiledFilter, positives_equal_the_bloom_filters_and_the_exact_net, ()) {
  const auto family = std::make_shared<const HashFamily>(draw_family());
  const std::vector<uint32_t> S = prop::draw_set(family->V(), 40);
  BloomFilter filter(family);
  filter.insert(S);
  const Bitset expected = filter.positives();
  std::vector<const KernelSet*> sets = runnable_simd_kernels();
  sets.push_back(&scalar_kernels());
  for (const KernelSet* kernels : sets) {
    const CompiledFilter compiled(*family, *kernels);
    RC_ASSERT(compiled.positives(S) == expected);
    RC_ASSERT(compiled.positives_by_masks(S) == expected);
    RC_ASSERT(compiled.filter_of(S) == filter.bits());
  }
  if (family->seed() && !S.empty()) {
    const Network net = construct_exact(*family, 20.0f);
    TokenBatch batch;
    batch.add(S);
    Activations act;
    forward(net, batch, act);
    Bitset by_net(family->V());
    for (size_t t = 0; t < family->V(); ++t) {
      if (act.z[t] == 0.0f) by_net.set(t);  // positives get z = 0, the rest z <= -beta
    }
    RC_ASSERT(by_net == expected);
  }
}

RC_GTEST_PROP(CompiledFilter, files_round_trip_and_truncations_are_errors, ()) {
  const CompiledFilter compiled(draw_family());
  const std::vector<uint8_t> bytes = encode_compiled_filter(compiled);
  RC_ASSERT(decode_compiled_filter(bytes) == compiled);
  const size_t length = draw<size_t>(0, bytes.size() - 1);
  RC_ASSERT_THROWS_AS(decode_compiled_filter({bytes.data(), length}), Error);
}

TEST(CompiledFilter, refuses_masks_with_bits_past_m_and_other_files) {
  EXPECT_THROW(CompiledFilter(2, 3, {0b111, 0b1000}), Error);
  EXPECT_THROW(CompiledFilter(2, 3, {0b111}), Error);
  // A valid file whose last mask gets a bit past m.
  const CompiledFilter ok(2, 3, {0b101, 0b011});
  std::vector<uint8_t> bytes = encode_compiled_filter(ok);
  bytes[bytes.size() - 8] |= 0b1000;
  EXPECT_THROW(decode_compiled_filter(bytes), Error);
  // A weights file is not a filter.
  EXPECT_THROW(decode_compiled_filter(encode_weights(Network(2, 2), {})), Error);
  EXPECT_THROW(CompiledFilter(HashFamily(4, 8, 2, 0)).positives(std::vector<uint32_t>{4}), Error);
}

// compile_network reads an exact net's hashes back exactly: its filter is the family's, and on
// held-out sets its positives are the net's in every set.
TEST(CompiledFilter, compiling_an_exact_net_gives_its_own_filter) {
  const HashFamily family(500, 64, 5, 9);
  const Network net = construct_exact(family, 20.0f);
  const CompiledNetwork compiled = compile_network(net, 4, 200, 1);
  EXPECT_EQ(compiled.filter, CompiledFilter(family));
  EXPECT_EQ(compiled.hash_count_mean, 5.0);
  EXPECT_EQ(compiled.agreement_exact_match.mean, 1.0);
  EXPECT_EQ(compiled.agreement_jaccard.mean, 1.0);
  EXPECT_GT(compiled.speedup, 0.0);
  EXPECT_THROW(compile_network(net, 0, 200, 1), Error);
  EXPECT_THROW(compile_network(net, 501, 200, 1), Error);
  EXPECT_THROW(compile_network(net, 4, 0, 1), Error);
}

}  // namespace
}  // namespace bloomnet
