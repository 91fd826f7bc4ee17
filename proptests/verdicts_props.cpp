// The rules that decide: the law of eps against width (sweep_fit.hpp), the per-width table with
// its still-improving flag, and the report's verdicts (verdicts.hpp), each seen answering both
// ways on data made to fall on either side of its thresholds.
#include <cmath>

#include "bloomnet/analysis.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/verdicts.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

std::vector<SweepRow> rows_of(SweepMethod method, const std::vector<size_t>& widths,
                              double (*law)(double d, double a, double b), double a, double b) {
  std::vector<SweepRow> rows;
  for (size_t w : widths) {
    SweepRow row;
    row.point = {method, w, 0};
    row.mse = law(static_cast<double>(w), a, b);
    rows.push_back(row);
  }
  return rows;
}

double exponential(double d, double a, double slope) { return a * std::exp(slope * d); }
double power(double d, double a, double exponent) { return a * std::pow(d, exponent); }

std::vector<size_t> draw_widths(size_t least) {
  std::vector<size_t> widths;
  const size_t n = draw<size_t>(least, 8);
  for (size_t w = draw<size_t>(4, 24); widths.size() < n; w += draw<size_t>(8, 32)) {
    widths.push_back(w);
  }
  return widths;
}

// Noise-free laws on three widths or more are told apart; two widths are undecided.
RC_GTEST_PROP(SweepFit, law_tells_exact_exponential_and_power_laws_apart, ()) {
  const std::vector<size_t> widths = draw_widths(3);
  const double slope = -0.01 * draw<int>(2, 30), exponent = -0.1 * draw<int>(2, 30);
  const auto fits = fit_sweep(rows_of(SweepMethod::kExact, widths, exponential, 0.5, slope));
  RC_ASSERT(fits.size() == 1u && fits[0].law == Law::kExponential);
  RC_ASSERT(std::abs(fits[0].linear.slope - slope) <= 1e-9);
  const auto power_fits = fit_sweep(rows_of(SweepMethod::kJl, widths, power, 3.0, exponent));
  RC_ASSERT(power_fits.size() == 1u && power_fits[0].law == Law::kPolynomial);
  const std::vector<size_t> two(widths.begin(), widths.begin() + 2);
  RC_ASSERT(fit_sweep(rows_of(SweepMethod::kExact, two, exponential, 0.5, slope))[0].law ==
            Law::kUndecided);
}

TEST(SweepFit, cells_average_seeds_and_flag_only_training_that_still_improved) {
  std::vector<SweepRow> rows;
  for (const auto& [method, seed, mse, mse_3q] :
       {std::tuple{SweepMethod::kTrained, 0, 0.010, 0.012},
        {SweepMethod::kTrained, 1, 0.012, 0.016},
        {SweepMethod::kLinear, 0, 0.10, 0.105},
        {SweepMethod::kExact, 0, 0.01, 1.0}}) {
    SweepRow row;
    row.point = {method, 32, static_cast<size_t>(seed)};
    row.mse = mse;
    row.mse_3q = mse_3q;  // exact rows have none; 1.0 checks the rule ignores it
    rows.push_back(row);
  }
  const std::vector<SweepCell> cells = sweep_cells(rows);
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0].method, SweepMethod::kTrained);
  EXPECT_EQ(cells[0].rows, 2u);
  EXPECT_DOUBLE_EQ(cells[0].mse, 0.011);
  EXPECT_TRUE(cells[0].still_improving);   // 0.011 < 0.9 x 0.014
  EXPECT_FALSE(cells[1].still_improving);  // linear: 0.10 against 0.9 x 0.105
  EXPECT_FALSE(cells[2].still_improving);  // exact rows do not train
  EXPECT_TRUE(std::isnan(cells[2].hashes));
}

NetworkReading reading_with(double snap, double union_accuracy, double jaccard) {
  NetworkReading r{.hashes = HashFamily(1, 1, 1, 0)};
  r.modes.snap_fraction = snap;
  r.union_match.accuracy = union_accuracy;
  r.metrics.filter_agreement = jaccard;
  r.metrics.filter_jaccard = jaccard;
  r.metrics.filter_fpr = 0.0;
  return r;
}

RC_GTEST_PROP(Verdicts, answers_follow_their_thresholds_on_both_sides, ()) {
  const double snap = 0.01 * draw<int>(0, 100), union_accuracy = 0.01 * draw<int>(0, 100),
               jaccard = 0.01 * draw<int>(0, 100);
  const NetworkReading r = reading_with(snap, union_accuracy, jaccard);
  RC_ASSERT(bimodality_verdict(r).answer ==
            (snap >= kBimodalSnapFraction ? Answer::kYes : Answer::kNo));
  const int held = (union_accuracy >= kUnionAccuracy) + (jaccard >= kFilterJaccard);
  RC_ASSERT(filter_behaviour_verdict(r).answer == (held == 2   ? Answer::kYes
                                                   : held == 1 ? Answer::kPartly
                                                               : Answer::kNo));
}

TEST(Verdicts, an_exact_net_is_bimodal_and_a_uniform_random_net_is_not) {
  const HashFamily family(300, 48, 5, 0);
  const EvalConfig eval{.k = 4, .sets = 256};
  EXPECT_EQ(bimodality_verdict(read_network(construct_exact(family, 20.0f), eval)).answer,
            Answer::kYes);
  EXPECT_EQ(filter_behaviour_verdict(read_network(construct_exact(family, 20.0f), eval)).answer,
            Answer::kYes);
  Network random(300, 48);
  CounterRng rng(3, Purpose::kInit, 0);
  for (float& w : random.W_in()) w = static_cast<float>(rng.unit());
  EXPECT_EQ(bimodality_verdict(read_network(random, eval)).answer, Answer::kNo);
}

TEST(Verdicts, the_width_law_verdict_needs_every_method_on_its_side) {
  const std::vector<size_t> widths = {16, 32, 48, 64};
  std::vector<SweepRow> rows = rows_of(SweepMethod::kTrained, widths, exponential, 0.5, -0.1);
  for (const SweepRow& r : rows_of(SweepMethod::kExact, widths, exponential, 0.5, -0.12)) {
    rows.push_back(r);
  }
  EXPECT_FALSE(width_law_verdict({}).has_value());
  std::vector<SweepRow> with_jl = rows;
  for (const SweepRow& r : rows_of(SweepMethod::kJl, widths, power, 2.0, -0.3)) {
    with_jl.push_back(r);
  }
  EXPECT_EQ(width_law_verdict(fit_sweep(with_jl))->answer, Answer::kYes);
  // A JL baseline falling exponentially contradicts the claim.
  for (const SweepRow& r : rows_of(SweepMethod::kJl, widths, exponential, 2.0, -0.05)) {
    rows.push_back(r);
  }
  EXPECT_EQ(width_law_verdict(fit_sweep(rows))->answer, Answer::kNo);
}

}  // namespace
}  // namespace bloomnet
