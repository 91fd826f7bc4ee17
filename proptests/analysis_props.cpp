// Reading networks as Bloom filters (analysis.hpp): on exact constructions every reading has a
// known answer; 2-means is the optimal split; the histogram counts every value once.
#include <cmath>
#include <memory>
#include <numeric>

#include "bloomnet/analysis.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// A seeded family whose hash bits are the minority of W_in's entries (h < m / 2), as 2-means
// needs to call them the hash mode.
HashFamily draw_sparse_family() {
  const size_t V = draw<size_t>(2, 600), m = draw<size_t>(4, 160);
  const size_t h = draw<size_t>(1, (m - 1) / 2);
  return HashFamily(V, m, h, *rc::gen::arbitrary<uint64_t>());
}

EvalConfig draw_eval(size_t V) {
  return {.k = draw<size_t>(1, std::min<size_t>(V, 8)),
          .sets = draw<size_t>(1, 80),
          .seed = *rc::gen::arbitrary<uint64_t>()};
}

RC_GTEST_PROP(Analysis, the_complement_exact_net_reads_as_its_own_filter, ()) {
  const HashFamily family = draw_sparse_family();
  const Network net = construct_exact(family, static_cast<float>(draw<int>(1, 60)));
  const NetworkReading r = read_network(net, draw_eval(family.V()));
  RC_ASSERT(r.modes.background == 0.0);
  RC_ASSERT(r.modes.hash == -1.0);
  RC_ASSERT(r.modes.snap_fraction == 1.0);
  RC_ASSERT(r.form == ExactForm::kComplement);
  RC_ASSERT(r.hashes == family);
  RC_ASSERT(r.hash_count_mean == static_cast<double>(family.h()));
  // hidden_j = 1 exactly when bit j is unset: perfectly anti-correlated with the union. When
  // every set's union covers all m bits, activations and union are both constant: no direction
  // can be read (the correlation is then 0, and either cut is exact).
  RC_ASSERT(r.union_match.accuracy == 1.0);
  RC_ASSERT(!r.union_match.fires_on_union || r.union_match.correlation == 0.0);
  RC_ASSERT(std::abs(r.union_match.correlation + 1.0) < 1e-9 || r.union_match.correlation == 0.0);
  const FilterAgreement& f = *r.metrics.filter;
  RC_ASSERT(f.exact_match.mean == 1.0);
  RC_ASSERT(f.jaccard.mean == 1.0);
  RC_ASSERT(f.fpr.mean == r.metrics.fpr_measured);
  // Its false positives are exactly the filter's: each conditional share is 1 (or undefined).
  RC_ASSERT(std::isnan(f.net_fp_given_filter_fp.mean) || f.net_fp_given_filter_fp.mean == 1.0);
  RC_ASSERT(std::isnan(f.filter_fp_given_net_fp.mean) || f.filter_fp_given_net_fp.mean == 1.0);
  // A perfect set predictor misses every false positive: it never beats the filter itself.
  RC_ASSERT(f.oracle_jaccard.mean <= f.jaccard.mean);
}

RC_GTEST_PROP(Analysis, the_union_exact_net_reads_as_the_filter_of_doubled_bits, ()) {
  const HashFamily family = draw_sparse_family();
  const Network net =
      construct_exact(family, static_cast<float>(draw<int>(1, 60)), ExactForm::kUnion);
  const NetworkReading r = read_network(net, draw_eval(family.V()));
  RC_ASSERT(r.modes.background == 0.0);
  RC_ASSERT(r.modes.hash == 1.0);
  RC_ASSERT(r.modes.snap_fraction == 1.0);
  RC_ASSERT(r.form == ExactForm::kUnion);
  // Bit j of the filter is neurons 2j (ReLU(c_j)) and 2j + 1 (ReLU(c_j - 1)).
  std::vector<std::vector<uint32_t>> doubled(family.V());
  for (uint32_t t = 0; t < family.V(); ++t) {
    for (uint32_t j : family.positions(t)) {
      doubled[t].push_back(2 * j);
      doubled[t].push_back(2 * j + 1);
    }
  }
  RC_ASSERT(r.hashes == HashFamily::from_positions(2 * family.m(), doubled));
  RC_ASSERT(r.metrics.filter->exact_match.mean == 1.0);
  RC_ASSERT(r.metrics.filter->jaccard.mean == 1.0);
}

// The random baseline keeps every token's number of hash bits and only that.
RC_GTEST_PROP(Analysis, the_random_family_keeps_each_tokens_hash_count, ()) {
  const HashFamily family = draw_sparse_family();
  const HashFamily random = random_family_like(family, *rc::gen::arbitrary<uint64_t>());
  RC_ASSERT(random.V() == family.V() && random.m() == family.m());
  for (uint32_t t = 0; t < family.V(); ++t) {
    RC_ASSERT(random.positions(t).size() == family.positions(t).size());
  }
  // A family compared with itself agrees in every set.
  const FilterComparison self = compare_filters(family, family, draw_eval(family.V()));
  RC_ASSERT(self.jaccard.mean == 1.0 && self.exact_match.mean == 1.0);
}

// The within-cluster sum of squares of splitting sorted values after i of them.
double split_cost(std::vector<double> v, size_t i) {
  auto cost = [](auto first, auto last) {
    const double mean = std::accumulate(first, last, 0.0) / static_cast<double>(last - first);
    double sum = 0;
    for (auto it = first; it != last; ++it) sum += (*it - mean) * (*it - mean);
    return sum;
  };
  std::sort(v.begin(), v.end());
  return cost(v.begin(), v.begin() + i) + cost(v.begin() + i, v.end());
}

RC_GTEST_PROP(Analysis, two_means_finds_the_best_split, ()) {
  const auto values = *rc::gen::container<std::vector<float>>(
      draw<size_t>(2, 60), rc::gen::map(rc::gen::inRange(-1000, 1000),
                                        [](int x) { return static_cast<float>(x) * 0.01f; }));
  const Modes modes = two_means(values);
  // Rebuild the split the modes imply: every value goes to its nearer centre.
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double low = std::min(modes.background, modes.hash);
  const double high = std::max(modes.background, modes.hash);
  size_t in_low = 0;
  for (double v : sorted) in_low += std::abs(v - low) <= std::abs(v - high);
  in_low = std::clamp<size_t>(in_low, 1, sorted.size() - 1);
  const double ours = split_cost(sorted, in_low);
  for (size_t i = 1; i < sorted.size(); ++i) RC_ASSERT(ours <= split_cost(sorted, i) + 1e-9);
  // The background is the larger cluster.
  RC_ASSERT(modes.hash_entries <= values.size() - modes.hash_entries);
}

RC_GTEST_PROP(Analysis, histogram_counts_every_value_once_in_its_bin, ()) {
  const auto values = *rc::gen::container<std::vector<float>>(
      draw<size_t>(1, 200), rc::gen::map(rc::gen::inRange(-500, 500),
                                         [](int x) { return static_cast<float>(x) * 0.1f; }));
  const size_t bins = draw<size_t>(1, 30);
  const Histogram h = histogram(values, bins);
  RC_ASSERT(std::accumulate(h.counts.begin(), h.counts.end(), size_t{0}) == values.size());
  RC_ASSERT(h.lo == *std::min_element(values.begin(), values.end()));
  RC_ASSERT(h.hi == *std::max_element(values.begin(), values.end()));
  const size_t first = static_cast<size_t>(std::count(values.begin(), values.end(), h.lo));
  RC_ASSERT(h.counts[0] >= (h.hi > h.lo ? first : values.size()));
}

TEST(Analysis, refuses_what_it_cannot_read) {
  const float one[] = {1.0f};
  EXPECT_THROW(two_means(one), Error);
  const float nan[] = {1.0f, NAN};
  EXPECT_THROW(two_means(nan), Error);
  EXPECT_THROW(histogram(one, 0), Error);
  const Network net(8, 4);
  EXPECT_THROW(read_network(net, {.k = 9}), Error);
}

}  // namespace
}  // namespace bloomnet
