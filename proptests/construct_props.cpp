
#include <memory>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// One random instance of SPEC section 4: a family, a form, beta, the constructed net and a batch
// of sets together with each set's Bloom filter.
struct Instance {
  std::shared_ptr<const HashFamily> family;
  ExactForm form;
  float beta;
  Network net;
  TokenBatch batch;
  std::vector<BloomFilter> filters;
};

Instance draw_instance() {
  const size_t V = draw<size_t>(1, 4096), m = draw<size_t>(1, 512);
  const size_t h = draw<size_t>(1, std::min<size_t>(m, 16));
  auto family = std::make_shared<HashFamily>(V, m, h, *rc::gen::arbitrary<uint64_t>());
  const ExactForm form = *rc::gen::element(ExactForm::kComplement, ExactForm::kUnion);
  // The union form takes integer beta (construct.hpp); the complement form any positive beta.
  const float beta = form == ExactForm::kUnion
                         ? static_cast<float>(draw<int>(1, 64))
                         : *rc::gen::map(rc::gen::inRange(1, 100000),
                                         [](int x) { return static_cast<float>(x) * 0.01f; });
  Network net = construct_exact(*family, beta, form);
  TokenBatch batch = prop::draw_batch(V, draw<size_t>(1, 3), 64);
  std::vector<BloomFilter> filters;
  for (size_t b = 0; b < batch.size(); ++b) {
    filters.emplace_back(family);
    filters.back().insert(batch.set(b));
  }
  RC_TAG(to_string(form));
  return {family, form, beta, std::move(net), std::move(batch), std::move(filters)};
}

RC_GTEST_PROP(ConstructExact, constructed_net_positives_equal_bloom_positives, ()) {
  const Instance x = draw_instance();
  Activations act;
  forward(x.net, x.batch, act);
  const size_t V = x.net.V();
  for (size_t b = 0; b < x.batch.size(); ++b) {
    const Bitset positives = x.filters[b].positives();
    for (size_t t = 0; t < V; ++t) {
      const float z = act.z[b * V + t];
      if (positives.test(t)) {
        RC_ASSERT(z == 0.0f);
      } else {
        RC_ASSERT(z <= -x.beta);
      }
    }
  }
}

RC_GTEST_PROP(ConstructExact, constructed_net_has_no_false_negatives, ()) {
  const Instance x = draw_instance();
  Activations act;
  forward(x.net, x.batch, act);
  for (size_t b = 0; b < x.batch.size(); ++b) {
    for (uint32_t t : x.batch.set(b)) RC_ASSERT(act.z[b * x.net.V() + t] == 0.0f);
  }
}

RC_GTEST_PROP(ConstructExact, hidden_layer_is_the_complement_or_union_of_filter_bits, ()) {
  const Instance x = draw_instance();
  Activations act;
  forward(x.net, x.batch, act);
  const size_t m = x.family->m(), d = x.net.d();
  for (size_t b = 0; b < x.batch.size(); ++b) {
    const Bitset& bits = x.filters[b].bits();
    const float* hidden = act.hidden.data() + b * d;
    for (size_t j = 0; j < m; ++j) {
      if (x.form == ExactForm::kComplement) {
        RC_ASSERT(hidden[j] == (bits.test(j) ? 0.0f : 1.0f));
      } else {
        RC_ASSERT(hidden[2 * j] - hidden[2 * j + 1] == (bits.test(j) ? 1.0f : 0.0f));
      }
    }
  }
}

RC_GTEST_PROP(ConstructExact, simd_and_scalar_forward_agree_bit_for_bit, ()) {
  const Instance x = draw_instance();
  Activations scalar;
  forward(x.net, x.batch, scalar, scalar_kernels());
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    Activations simd;
    forward(x.net, x.batch, simd, *kernels);
    RC_ASSERT(prop::same_bits(simd.hidden, scalar.hidden));
    RC_ASSERT(prop::same_bits(simd.z, scalar.z));
  }
}

TEST(ConstructExact, metadata_round_trips_and_bad_beta_is_refused) {
  const ExactConfig config{256, 6, 7, 12.5f, ExactForm::kUnion};
  const auto parsed = exact_config(exact_metadata(config));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->m, 256u);
  EXPECT_EQ(parsed->h, 6u);
  EXPECT_EQ(parsed->seed, 7u);
  EXPECT_EQ(parsed->beta, 12.5f);
  EXPECT_EQ(parsed->form, ExactForm::kUnion);
  EXPECT_FALSE(exact_config({{"kind", "trained"}}).has_value());
  EXPECT_THROW(exact_config({{"kind", "exact"}, {"m", "-3"}}), Error);
  const HashFamily family(4, 8, 2, 0);
  EXPECT_THROW(construct_exact(family, 0.0f), Error);
  EXPECT_THROW(construct_exact(family, NAN), Error);
  EXPECT_THROW(construct_exact(family, 2.5f, ExactForm::kUnion), Error);
}

}  // namespace
}  // namespace bloomnet
