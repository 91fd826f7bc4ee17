#include "bloomnet/sweep_fit.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "bloomnet/random.hpp"

namespace bloomnet {
namespace {

// Every row of one method, grouped by width, in increasing width.
using ByWidth = std::map<size_t, std::vector<const SweepRow*>>;

ByWidth rows_of(const std::vector<SweepRow>& rows, SweepMethod method) {
  ByWidth out;
  for (const SweepRow& row : rows) {
    if (row.point.method == method && !std::isnan(row.mse)) out[row.point.width].push_back(&row);
  }
  return out;
}

// A metric of the rows over their seeds; `se` NaN-valued members give seed-only intervals.
Measured over_seeds(const std::vector<const SweepRow*>& rows, double SweepRow::*value,
                    double SweepRow::*se = nullptr) {
  std::vector<double> values, errors;
  for (const SweepRow* row : rows) {
    values.push_back(row->*value);
    errors.push_back(se ? row->*se : NAN);
  }
  return mean_over_seeds(values, errors);
}

// The net's Jaccard minus a baseline's, over seeds.
Measured difference_over_seeds(const std::vector<const SweepRow*>& rows, double SweepRow::*baseline,
                               double SweepRow::*baseline_se) {
  std::vector<double> values, errors;
  for (const SweepRow* row : rows) {
    values.push_back(row->agreement_jaccard - row->*baseline);
    errors.push_back(std::hypot(row->agreement_jaccard_se, row->*baseline_se));
  }
  return mean_over_seeds(values, errors);
}

// A measured eps is a value when it rests on kMinFalsePositives false positives or, where it does
// not come from false positives (JL's smooth outputs, a trained net's unequal members), when its
// standard error is within kResolvedRelativeError of it: what 100 equal events would give.
bool unresolved(const SweepRow& row) {
  if (row.mse < kResolvedMse) return true;
  if (std::isnan(row.false_positive_events)) return false;  // a closed form
  return row.false_positive_events < static_cast<double>(kMinFalsePositives) &&
         !(row.mse_se <= kResolvedRelativeError * row.mse);
}

WidthCell cell_of(SweepMethod method, size_t width, const std::vector<const SweepRow*>& rows) {
  WidthCell cell{.method = method, .width = width, .rows = rows.size()};
  cell.mse = over_seeds(rows, &SweepRow::mse, &SweepRow::mse_se);
  cell.topk_exact = over_seeds(rows, &SweepRow::topk_exact, &SweepRow::topk_exact_se);
  cell.fpr = over_seeds(rows, &SweepRow::fpr_measured, &SweepRow::fpr_se);
  cell.hashes = over_seeds(rows, &SweepRow::hashes);
  const SweepRow& first = *rows.front();
  cell.saturated = cell.mse.value > 0.5 * no_information_mse(first.V, first.k, first.k_max);
  double events = 0, sets = 0;
  for (const SweepRow* row : rows) {
    cell.unresolved = cell.unresolved || unresolved(*row);
    events += std::isnan(row->false_positive_events) ? 0 : row->false_positive_events;
    sets += std::isnan(row->sets) ? 0 : row->sets;
  }
  if (cell.unresolved && sets > 0) {
    // Each false positive the sets may have missed adds at most 1/k to its set's eps.
    cell.mse_upper = std::max(0.0, cell.mse.value) +
                     (poisson_upper_95(events) - events) / sets / static_cast<double>(first.k);
  }
  cell.snap_fraction = over_seeds(rows, &SweepRow::snap_fraction);
  cell.union_accuracy = over_seeds(rows, &SweepRow::union_accuracy);
  cell.agreement_exact_match =
      over_seeds(rows, &SweepRow::agreement_exact_match, &SweepRow::agreement_exact_match_se);
  cell.agreement_jaccard =
      over_seeds(rows, &SweepRow::agreement_jaccard, &SweepRow::agreement_jaccard_se);
  cell.oracle_exact_match =
      over_seeds(rows, &SweepRow::oracle_exact_match, &SweepRow::oracle_exact_match_se);
  cell.oracle_jaccard = over_seeds(rows, &SweepRow::oracle_jaccard, &SweepRow::oracle_jaccard_se);
  cell.random_jaccard = over_seeds(rows, &SweepRow::random_jaccard, &SweepRow::random_jaccard_se);
  cell.filter_fpr = over_seeds(rows, &SweepRow::filter_fpr, &SweepRow::filter_fpr_se);
  cell.random_fpr = over_seeds(rows, &SweepRow::random_fpr, &SweepRow::random_fpr_se);
  cell.jaccard_over_oracle =
      difference_over_seeds(rows, &SweepRow::oracle_jaccard, &SweepRow::oracle_jaccard_se);
  cell.jaccard_over_random =
      difference_over_seeds(rows, &SweepRow::random_jaccard, &SweepRow::random_jaccard_se);
  return cell;
}

// The four statistics of one set of tail means.
struct TailStatistics {
  double slope, intercept, log_log_slope, curvature_linear, curvature_log_log;
};

TailStatistics tail_statistics(const std::vector<double>& widths,
                               const std::vector<double>& log_mse) {
  std::vector<double> log_widths;
  log_widths.reserve(widths.size());
  for (double d : widths) log_widths.push_back(std::log(d));
  const bool curved = widths.size() >= 3;
  const LineFit linear = fit_line(widths, log_mse);
  return {linear.slope, linear.intercept, fit_line(log_widths, log_mse).slope,
          curved ? fit_curvature(widths, log_mse) : NAN,
          curved ? fit_curvature(log_widths, log_mse) : NAN};
}

// A curvature's replicates, read at two levels: 95% to show that a bend is there, 99.9% to
// accept that it is not (a straight line must not be called bent one time in forty by chance).
struct Bend {
  Interval likely, certain;
};

// Rounding leaves the curvature of a noise-free line at 1e-15 or so: that is no bend.
constexpr double kFlat = 1e-9;

Bend bend_of(const std::vector<double>& replicates) {
  auto widened = [](Interval i) { return Interval{i.lo - kFlat, i.hi + kFlat}; };
  return {widened(percentile_interval(replicates, 0.95)),
          widened(percentile_interval(replicates, 0.999))};
}

// The two bends of one reading of eps (raw, or corrected for the ceiling).
struct Reading {
  Bend d, log;
  // An exponential's signature: bends down against ln d, not up against d.
  bool reads_exponential() const { return log.likely.hi < 0 && !(d.certain.lo > 0); }
  // A power law's: bends up against d, not down against ln d.
  bool reads_polynomial() const { return d.likely.lo > 0 && !(log.certain.hi < 0); }
};

// The rule of the header: a law's signature in one reading, its bend certain in both, and the
// other law's signature in neither (which reading is right depends on how eps meets the
// ceiling, a hard cap or a gradual approach, and the data do not say).
Law law_of(const Reading& raw, const Reading& corrected, std::string& reason) {
  const bool exponential = raw.reads_exponential() || corrected.reads_exponential();
  const bool polynomial = raw.reads_polynomial() || corrected.reads_polynomial();
  if (exponential && polynomial) {
    reason = "reads exponential one way, polynomial the other";
    return Law::kUndecided;
  }
  if (exponential) {
    if (raw.log.certain.hi < 0 && corrected.log.certain.hi < 0) {
      reason = "straight against d, bends down against ln d";
      return Law::kExponential;
    }
    reason = "reads exponential, but its bend is not certain in both readings";
    return Law::kUndecided;
  }
  if (polynomial) {
    if (raw.d.certain.lo > 0 && corrected.d.certain.lo > 0) {
      reason = "straight against ln d, bends up against d";
      return Law::kPolynomial;
    }
    reason = "reads polynomial, but its bend is not certain in both readings";
    return Law::kUndecided;
  }
  reason = "neither curvature pattern holds";
  return Law::kUndecided;
}

}  // namespace

double no_information_mse(size_t V, size_t k, size_t k_max) {
  const size_t largest = std::max(k, k_max);
  double sum = 0;
  for (size_t size = k; size <= largest; ++size) sum += 1.0 / static_cast<double>(size);
  return sum / static_cast<double>(largest - k + 1) - 1.0 / static_cast<double>(V);
}

std::vector<WidthCell> width_cells(const std::vector<SweepRow>& rows) {
  std::vector<WidthCell> cells;
  for (const auto& [method, name] : EnumNames<SweepMethod>::kNames) {
    for (const auto& [width, group] : rows_of(rows, method)) {
      cells.push_back(cell_of(method, width, group));
    }
  }
  return cells;
}

std::vector<MethodFit> fit_sweep(const std::vector<SweepRow>& rows) {
  std::vector<MethodFit> fits;
  for (const auto& [method, name] : EnumNames<SweepMethod>::kNames) {
    const ByWidth by_width = rows_of(rows, method);
    MethodFit fit{.method = method, .widths = by_width.size()};
    // The tail: widths neither saturated nor unresolved. Saturation comes from being too
    // narrow, so every width up to the widest saturated one is left out: a capped eps that noise
    // puts just below half the ceiling would otherwise read as a bend.
    std::vector<WidthCell> cells;
    size_t widest_saturated = 0;
    for (const auto& [width, group] : by_width) {
      cells.push_back(cell_of(method, width, group));
      if (cells.back().saturated) widest_saturated = width;
    }
    std::vector<const std::vector<const SweepRow*>*> tail_rows;
    std::vector<double> widths, log_means;
    auto cell = cells.begin();
    for (const auto& [width, group] : by_width) {
      if (width <= widest_saturated) {
        ++fit.saturated;
      } else if (cell->unresolved) {
        ++fit.unresolved;
      } else {
        fit.tail.push_back(width);
        tail_rows.push_back(&group);
        widths.push_back(static_cast<double>(width));
        log_means.push_back(std::log(cell->mse.value));
      }
      ++cell;
    }
    if (widths.size() < 2) continue;
    std::vector<double> log_widths;
    log_widths.reserve(widths.size());
    for (double d : widths) log_widths.push_back(std::log(d));
    fit.linear = fit_line(widths, log_means);
    fit.log_log = fit_line(log_widths, log_means);
    const TailStatistics point = tail_statistics(widths, log_means);

    // The ceiling-corrected reading of the same means.
    const SweepRow& any = *tail_rows.front()->front();
    const double ceiling = no_information_mse(any.V, any.k, any.k_max);
    auto corrected = [&](std::vector<double> log_eps) {
      for (double& y : log_eps) y += -std::log1p(-std::exp(y) / ceiling);
      return log_eps;
    };
    const TailStatistics corrected_point = tail_statistics(widths, corrected(log_means));

    // The sampling law of each tail width's ln mean eps. Over seeds: the spread of ln eps
    // between a width's seeds, pooled over the tail widths (one method's seeds vary alike in
    // relative terms; three seeds alone would give Student's t with 2 degrees of freedom, whose
    // tails swamp any 99.9% interval), with the pooled degrees of freedom; never below a row's
    // own relative error over sets. A closed form (theory) has no spread.
    double pooled_squares = 0;
    size_t pooled_dof = 0;
    for (const auto* group : tail_rows) {
      if (group->size() < 2) continue;
      double mean = 0;
      for (const SweepRow* row : *group) mean += std::log(row->mse);
      mean /= static_cast<double>(group->size());
      for (const SweepRow* row : *group) pooled_squares += std::pow(std::log(row->mse) - mean, 2);
      pooled_dof += group->size() - 1;
    }
    const double pooled_sd = pooled_dof ? std::sqrt(pooled_squares / pooled_dof) : 0.0;
    // Each width's standard error of ln mean eps, as a multiple of the pooled spread between
    // seeds and as its own relative error over sets (the floor the spread never goes below).
    std::vector<double> seed_factors, set_errors;
    for (const auto* group : tail_rows) {
      const auto n = static_cast<double>(group->size());
      const SweepRow& first = *group->front();
      seed_factors.push_back(1 / std::sqrt(n));
      set_errors.push_back((std::isnan(first.mse_se) ? 0.0 : first.mse_se / first.mse) /
                           std::sqrt(n));
    }

    // The bootstrap: every width's ln mean eps drawn from its sampling law, seeded by the method.
    // The pooled spread is one estimate shared by every width, so a replicate draws it once
    // (chi-squared with the pooled degrees of freedom): when it is too small, it is too small at
    // every width together, which is what makes a straight line look bent.
    std::vector<double> slopes, intercepts, log_log_slopes, bends_d, bends_log, corrected_d,
        corrected_log;
    std::vector<double> replicate(widths.size());
    for (size_t b = 0; b < kBootstrapReplicates; ++b) {
      CounterRng rng(static_cast<uint64_t>(method), Purpose::kBootstrap, b);
      double drawn_sd = pooled_sd;
      if (pooled_dof > 0) {
        double chi2 = 0;
        for (size_t i = 0; i < pooled_dof; ++i) chi2 += std::pow(rng.normal(), 2);
        drawn_sd /= std::sqrt(chi2 / static_cast<double>(pooled_dof));
      }
      for (size_t w = 0; w < widths.size(); ++w) {
        const double spread = std::max(drawn_sd * seed_factors[w], set_errors[w]);
        // Below the ceiling: a replicate is a plausible eps, and its correction stays finite.
        replicate[w] = std::min(log_means[w] + spread * rng.normal(), std::log(0.99 * ceiling));
      }
      const TailStatistics s = tail_statistics(widths, replicate);
      const TailStatistics c = tail_statistics(widths, corrected(replicate));
      slopes.push_back(s.slope);
      intercepts.push_back(s.intercept);
      log_log_slopes.push_back(s.log_log_slope);
      bends_d.push_back(s.curvature_linear);
      bends_log.push_back(s.curvature_log_log);
      corrected_d.push_back(c.curvature_linear);
      corrected_log.push_back(c.curvature_log_log);
    }
    fit.slope_ci = percentile_interval(slopes);
    fit.intercept_ci = percentile_interval(intercepts);
    fit.log_log_slope_ci = percentile_interval(log_log_slopes);
    fit.curvature_linear = {point.curvature_linear, percentile_interval(bends_d)};
    fit.curvature_log_log = {point.curvature_log_log, percentile_interval(bends_log)};
    fit.corrected_curvature_linear = {corrected_point.curvature_linear,
                                      percentile_interval(corrected_d)};
    fit.corrected_curvature_log_log = {corrected_point.curvature_log_log,
                                       percentile_interval(corrected_log)};
    if (fit.linear.slope < 0) {
      // C = -1/s falls as the slope steepens: the interval's ends swap.
      fit.width_per_nat = {
          -1 / fit.linear.slope,
          {-1 / fit.slope_ci.lo, fit.slope_ci.hi < 0 ? -1 / fit.slope_ci.hi : INFINITY}};
    }
    // A measured width needs two seeds for its interval to hold their spread.
    bool seeds_known = true;
    for (const auto* group : tail_rows) {
      seeds_known = seeds_known && (group->size() >= 2 || std::isnan(group->front()->sets));
    }
    if (widths.size() < kMinLawWidths) {
      fit.reason = "only " + std::to_string(widths.size()) +
                   " unsaturated, resolved widths (at least " + std::to_string(kMinLawWidths) +
                   " needed)";
    } else if (!seeds_known) {
      fit.reason = "one seed per width: the intervals cannot hold the spread between seeds";
    } else {
      fit.law = law_of({bend_of(bends_d), bend_of(bends_log)},
                       {bend_of(corrected_d), bend_of(corrected_log)}, fit.reason);
    }
    fits.push_back(std::move(fit));
  }
  return fits;
}

}  // namespace bloomnet
