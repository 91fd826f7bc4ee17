#include <omp.h>

#include <cmath>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/metrics.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// Bit-equal means and standard errors (NaN standard errors of one set compare equal).
bool same_metrics(const Metrics& a, const Metrics& b) {
  auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  return a.sets == b.sets && a.mse == b.mse && a.ce == b.ce && a.topk_exact == b.topk_exact &&
         a.false_positives_mean == b.false_positives_mean && a.recall == b.recall &&
         a.fpr_measured == b.fpr_measured && same(a.mse_se, b.mse_se) && same(a.ce_se, b.ce_se) &&
         same(a.topk_exact_se, b.topk_exact_se) && same(a.fpr_se, b.fpr_se) &&
         a.false_positive_events == b.false_positive_events;
}

RC_GTEST_PROP(Metrics, evaluation_does_not_depend_on_the_thread_count, ()) {
  const size_t V = draw<size_t>(1, 3000);
  const Network net = prop::draw_network(V, draw<size_t>(1, 48), 3.0f);
  const EvalConfig config{.k = draw<size_t>(1, std::min<size_t>(V, 8)),
                          .sets = draw<size_t>(1, 600),
                          .seed = *rc::gen::arbitrary<uint64_t>(),
                          .batch = draw<size_t>(1, 300)};
  omp_set_num_threads(1);
  const Metrics one = evaluate(net, config);
  omp_set_num_threads(2);
  const Metrics two = evaluate(net, config);
  omp_set_num_threads(5);
  const Metrics five = evaluate(net, config);
  RC_ASSERT(same_metrics(one, two));
  RC_ASSERT(same_metrics(one, five));
}

RC_GTEST_PROP(Metrics, exact_nets_recall_everything_and_agree_with_their_filter, ()) {
  const size_t V = draw<size_t>(2, 3000), m = draw<size_t>(8, 300);
  const size_t h = draw<size_t>(1, std::min<size_t>(m, 8));
  const auto family = std::make_shared<HashFamily>(V, m, h, *rc::gen::arbitrary<uint64_t>());
  const Network net = construct_exact(*family, 20.0f);
  const Metrics metrics =
      evaluate(net, {.k = draw<size_t>(1, std::min<size_t>(V, 16)), .sets = 64}, family);
  RC_ASSERT(metrics.recall == 1.0);
  RC_ASSERT(metrics.filter->exact_match.mean == 1.0);
  // With f false positives and large beta, eps = f / (k (k + f)) per set (SPEC section 4): zero
  // exactly when no set has a false positive.
  if (metrics.false_positives_mean == 0.0) RC_ASSERT(metrics.mse < 1e-6);
}

// Rare false positives draw more sets: doubling from `sets` up to max_sets, stopping as soon as
// min_false_positives were seen; the sets drawn are the first ones of the stream, so the result
// is the plain evaluation of that many sets.
RC_GTEST_PROP(Metrics, more_sets_are_drawn_only_until_enough_false_positives, ()) {
  const size_t V = draw<size_t>(50, 2000), m = draw<size_t>(16, 200);
  const auto family = std::make_shared<HashFamily>(V, m, draw<size_t>(1, std::min<size_t>(m, 8)),
                                                   *rc::gen::arbitrary<uint64_t>());
  const Network net = construct_exact(*family, 20.0f);
  EvalConfig config{.k = draw<size_t>(1, 8), .sets = draw<size_t>(8, 64)};
  config.max_sets = config.sets * (size_t{1} << draw<size_t>(0, 4));
  config.min_false_positives = draw<size_t>(1, 300);
  const Metrics adaptive = evaluate(net, config);
  size_t expected = config.sets;
  while (expected < config.max_sets) {
    EvalConfig plain = config;
    plain.sets = expected;
    plain.max_sets = 0;
    const Metrics prefix = evaluate(net, plain);
    if (prefix.false_positive_events >= static_cast<double>(config.min_false_positives)) break;
    expected *= 2;
  }
  RC_ASSERT(adaptive.sets == std::min(expected, config.max_sets));
  EvalConfig plain = config;
  plain.sets = adaptive.sets;
  plain.max_sets = 0;
  RC_ASSERT(same_metrics(adaptive, evaluate(net, plain)));
}

// The standard error of a mean: the sample standard deviation over sqrt(n), two-pass.
RC_GTEST_PROP(Metrics, standard_errors_are_the_sample_deviation_over_root_n, ()) {
  const auto values = *rc::gen::container<std::vector<int>>(rc::gen::inRange(-1000, 1000));
  RC_PRE(values.size() >= 2);
  double sum = 0, square = 0;
  for (int v : values) {
    sum += v;
    square += static_cast<double>(v) * v;
  }
  const auto n = static_cast<double>(values.size());
  double deviation = 0;
  for (int v : values) deviation += (v - sum / n) * (v - sum / n);
  const Estimate e = mean_and_error(sum, square, values.size());
  RC_ASSERT(std::abs(e.mean - sum / n) <= 1e-9 * (1 + std::abs(e.mean)));
  RC_ASSERT(std::abs(e.se - std::sqrt(deviation / (n - 1) / n)) <= 1e-6 * (1 + e.se));
  RC_ASSERT(std::isnan(mean_and_error(3, 9, 1).se));
}

TEST(Metrics, known_values_on_a_hand_built_net) {
  // V = 2, k = 1: logits (0, -ln 3) for set {0}, so p = (3/4, 1/4).
  Network net(2, 1);
  net.b_out()[1] = -std::log(3.0f);
  const Metrics m = evaluate(net, {.k = 1, .sets = 1, .seed = 0});
  // Which single token seed 0 draws is not pinned here, so both cases are checked.
  const bool first = m.recall == 1.0;
  if (first) {
    EXPECT_NEAR(m.mse, 2 * 0.25 * 0.25, 1e-6);
    EXPECT_NEAR(m.ce, -std::log(0.75), 1e-6);
    EXPECT_EQ(m.topk_exact, 1.0);
    EXPECT_EQ(m.false_positives_mean, 0.0);
  } else {
    EXPECT_NEAR(m.mse, 2 * 0.75 * 0.75, 1e-6);
    EXPECT_NEAR(m.ce, -std::log(0.25), 1e-6);
    EXPECT_EQ(m.topk_exact, 0.0);
    EXPECT_EQ(m.false_positives_mean, 1.0);
    EXPECT_EQ(m.fpr_measured, 1.0);
  }
  EXPECT_THROW(evaluate(net, {.k = 3}), Error);
  EXPECT_THROW(evaluate(net, {.k = 0}), Error);
}

TEST(Metrics, one_set_against_a_filter_with_known_overlap) {
  // S = {0}; logits put tokens 0 and 1 on top, so P(S) = {0, 1}. The filter (H(0) = {0},
  // H(1) = {1}, H(2) = {0}, H(3) = {2}) of S reports {0, 2}: Jaccard 1/3, no exact match.
  const auto family =
      std::make_shared<const HashFamily>(HashFamily::from_positions(3, {{0}, {1}, {0}, {2}}));
  BloomFilter filter(family);
  const std::vector<uint32_t> S = {0};
  filter.insert(S);
  const float z[] = {0.0f, 0.0f, -5.0f, -5.0f};
  const float p[] = {0.5f, 0.5f, 0.0f, 0.0f};
  const SetMetrics m = measure_set(S, z, p, 4, -std::log(2.0), &filter);
  EXPECT_EQ(m.filter_agreement, 0.0);
  EXPECT_DOUBLE_EQ(m.filter_jaccard, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.filter_fpr, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.fpr, 1.0 / 3.0);
  EXPECT_EQ(m.recall, 1.0);
  EXPECT_EQ(m.false_positives, 1.0);
  EXPECT_DOUBLE_EQ(m.mse, 0.25 + 0.25);
  // The perfect predictor {0} against the filter's {0, 2}: not equal, Jaccard 1/2. The net's
  // false positive (1) is not the filter's (2).
  EXPECT_EQ(m.oracle_agreement, 0.0);
  EXPECT_DOUBLE_EQ(m.oracle_jaccard, 0.5);
  EXPECT_EQ(m.filter_false_positives, 1.0);
  EXPECT_EQ(m.net_false_positives, 1.0);
  EXPECT_EQ(m.shared_false_positives, 0.0);
  // A lower positive floor (a tuned threshold) takes in every token.
  EXPECT_DOUBLE_EQ(measure_set(S, z, p, 4, -10.0, &filter).fpr, 1.0);
}

TEST(Metrics, an_exact_net_with_beta_1e6_gives_finite_exact_metrics) {
  // Logits down to -1e6 h: the softmax must neither overflow nor lose the positives.
  const auto family = std::make_shared<const HashFamily>(2000, 128, 6, 3);
  const Metrics m =
      evaluate(construct_exact(*family, 1e6f), {.k = 8, .sets = 200, .seed = 2}, family);
  for (double x : {m.mse, m.ce, m.topk_exact, m.false_positives_mean, m.recall, m.fpr_measured}) {
    EXPECT_TRUE(std::isfinite(x));
  }
  EXPECT_EQ(m.recall, 1.0);
  EXPECT_EQ(m.filter->exact_match.mean, 1.0);
}

}  // namespace
}  // namespace bloomnet
