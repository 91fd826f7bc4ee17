
#include <cmath>
#include <memory>
#include <numeric>
#include <random>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/fpr_curve.hpp"
#include "bloomnet/task.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;
using prop::draw_set;

std::shared_ptr<const HashFamily> draw_family(size_t max_V = 4096, size_t max_m = 512) {
  const size_t V = draw<size_t>(1, max_V), m = draw<size_t>(1, max_m);
  const size_t h = draw<size_t>(1, std::min<size_t>(m, 16));
  return std::make_shared<HashFamily>(V, m, h, *rc::gen::arbitrary<uint64_t>());
}

BloomFilter filter_of(std::shared_ptr<const HashFamily> family, std::span<const uint32_t> S) {
  BloomFilter filter(std::move(family));
  filter.insert(S);
  return filter;
}

RC_GTEST_PROP(BloomFilter, union_of_filters_is_filter_of_union, ()) {
  const auto family = draw_family();
  const auto A = draw_set(family->V(), 64), B = draw_set(family->V(), 64);
  BloomFilter united = filter_of(family, A);
  united.unite(filter_of(family, B));
  std::vector<uint32_t> AB = A;
  AB.insert(AB.end(), B.begin(), B.end());
  RC_ASSERT(united.bits() == filter_of(family, AB).bits());
}

RC_GTEST_PROP(BloomFilter, insert_is_idempotent_and_order_free, ()) {
  const auto family = draw_family();
  const auto S = draw_set(family->V(), 64);
  const BloomFilter once = filter_of(family, S);
  BloomFilter twice = filter_of(family, S);
  twice.insert(S);
  RC_ASSERT(once.bits() == twice.bits());
  auto shuffled = S;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(*rc::gen::arbitrary<uint64_t>()));
  RC_ASSERT(filter_of(family, shuffled).bits() == once.bits());
}

RC_GTEST_PROP(BloomFilter, has_no_false_negatives_and_contains_is_monotone, ()) {
  const auto family = draw_family();
  const auto A = draw_set(family->V(), 64), extra = draw_set(family->V(), 64);
  std::vector<uint32_t> B = A;
  B.insert(B.end(), extra.begin(), extra.end());  // A is a subset of B
  const BloomFilter fa = filter_of(family, A), fb = filter_of(family, B);
  for (uint32_t t : A) RC_ASSERT(fa.contains(t));
  const Bitset pa = fa.positives(), pb = fb.positives();
  for (size_t t = 0; t < family->V(); ++t) {
    if (pa.test(t)) RC_ASSERT(pb.test(t));
    RC_ASSERT(pa.test(t) == fa.contains(static_cast<uint32_t>(t)));
  }
}

RC_GTEST_PROP(BloomFilter, popcount_is_at_most_min_of_m_and_h_times_set_size, ()) {
  const auto family = draw_family();
  const auto S = draw_set(family->V(), 64);
  const BloomFilter filter = filter_of(family, S);
  RC_ASSERT(filter.popcount() <= std::min(family->m(), family->h() * S.size()));
  BloomFilter cleared = filter;
  cleared.clear();
  RC_ASSERT(cleared.popcount() == 0u);
}

// Stated tolerance: for m >= 4096, n >= 100 and h n / m <= 2, the estimate is within 10% of n.
// (Its standard deviation there is about sqrt(e^(hn/m) - 1 - hn/m) / (h n / m) / sqrt(m) <= 1.7%,
// so 10% is about six deviations.)
RC_GTEST_PROP(BloomFilter, cardinality_estimate_is_within_ten_percent_on_large_sets, ()) {
  const size_t m = draw<size_t>(4096, 32768), h = draw<size_t>(1, 8);
  const size_t n = draw<size_t>(100, 2 * m / h);
  const auto family = std::make_shared<HashFamily>(n, m, h, *rc::gen::arbitrary<uint64_t>());
  std::vector<uint32_t> S(n);
  std::iota(S.begin(), S.end(), 0u);
  const double estimate = filter_of(family, S).estimate_cardinality();
  RC_ASSERT(std::abs(estimate - static_cast<double>(n)) <= 0.1 * static_cast<double>(n));
}

// The measured FPR over many sets lies within five standard deviations (plus five counts) of the
// theory for our distinct-position family: per set, false positives given the filter's X set bits
// are Binomial(V - n, f(X)), and f(X) itself varies between filters (fpr_distinct's variance).
RC_GTEST_PROP(BloomFilter, measured_fpr_lies_in_a_confidence_band_around_theory, ()) {
  const size_t V = 20000, sets = 20;
  const size_t m = draw<size_t>(32, 1024), h = draw<size_t>(1, 8);
  const size_t n = draw<size_t>(1, std::max<size_t>(1, m / h));
  const auto family = std::make_shared<HashFamily>(V, m, h, *rc::gen::arbitrary<uint64_t>());
  const TaskSampler sampler({V, n}, *rc::gen::arbitrary<uint64_t>());
  TokenBatch batch;
  sampler.sample(0, sets, batch);
  double false_positives = 0;
  for (size_t s = 0; s < sets; ++s) {
    const BloomFilter filter = filter_of(family, batch.set(s));
    false_positives += static_cast<double>(filter.positives().count() - n);
  }
  const FprDistinct theory = fpr_distinct(m, h, n);
  const double others = static_cast<double>(V - n);
  const double expected = sets * others * theory.mean;
  const double variance =
      sets * (others * theory.mean * (1 - theory.mean) + others * others * theory.variance);
  RC_LOG() << "m=" << m << " h=" << h << " n=" << n << " measured=" << false_positives
           << " expected=" << expected << " sd=" << std::sqrt(variance) << "\n";
  // The normal band is too tight where only a handful of false positives are expected (Poisson
  // tails); the constant 5 covers those, and is negligible beside the deviation elsewhere.
  RC_ASSERT(std::abs(false_positives - expected) <= 5 * std::sqrt(variance) + 5);
}

TEST(BloomFilter, fpr_theories_agree_for_wide_filters) {
  // With m >> h the distinct-position correction vanishes: both give the classic value.
  const double classic = fpr_theory(1 << 16, 4, 5000);
  EXPECT_NEAR(fpr_distinct(1 << 16, 4, 5000).mean, classic, 1e-3 * classic);
  // And for m = 256, h = 6, n = 16 distinct positions lower the FPR by about 6%.
  EXPECT_NEAR(fpr_distinct(256, 6, 16).mean / fpr_theory(256, 6, 16), 0.94, 0.02);
}

// The report's FPR curve: every point near the exact law of distinct positions (within 5 standard
// errors plus the 10% by which one fixed family may differ from the average family), rising
// with n.
TEST(BloomFilter, the_fpr_curve_follows_the_distinct_positions_law) {
  const size_t ns[] = {4, 16, 48};
  const FprCurve curve = measure_fpr_curve(5000, 256, 6, ns, 1500);
  ASSERT_EQ(curve.points.size(), 3u);
  for (const FprCurvePoint& p : curve.points) {
    EXPECT_NEAR(p.measured, p.distinct, 5 * p.std_error + 0.1 * p.distinct) << "n = " << p.n;
    EXPECT_GT(p.std_error, 0.0);
  }
  EXPECT_LT(curve.points[0].measured, curve.points[2].measured);
  const size_t too_many[] = {5000};
  EXPECT_THROW(measure_fpr_curve(5000, 256, 6, too_many, 10), Error);
}

TEST(BloomFilter, refuses_to_unite_filters_over_different_families) {
  BloomFilter a(std::make_shared<HashFamily>(10, 16, 2, 1));
  BloomFilter b(std::make_shared<HashFamily>(10, 16, 2, 2));
  EXPECT_THROW(a.unite(b), Error);
  EXPECT_THROW(a.insert(10u), Error);
  EXPECT_THROW(static_cast<void>(a.contains(10u)), Error);
}

}  // namespace
}  // namespace bloomnet
