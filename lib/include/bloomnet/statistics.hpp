// The uncertainty arithmetic every reported number goes through: 95% intervals over seeds (whose
// spread already contains each seed's noise over held-out sets) or over sets, Student's t
// quantiles, the Poisson bound of a rare count, and percentile intervals of a bootstrap.
//
// Thread safety: pure functions.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace bloomnet {

// A 95% interval; NaN ends when it cannot be computed.
struct Interval {
  double lo = NAN, hi = NAN;
};

// A value measured with its 95% interval.
struct Measured {
  double value = NAN;
  Interval ci{};
};

// A rate measured on fewer false positives than this is a bound, not a value: sweeps draw
// held-out sets until they have seen this many (width_sweep.hpp), fits leave out rows that did
// not (sweep_fit.hpp), and intervals below it take the Poisson bound (poisson_upper_95).
inline constexpr size_t kMinFalsePositives = 100;

// Student's t quantile of 0.975 for `dof` degrees of freedom (1.96 beyond 30); dof >= 1.
double t_975(size_t dof);

// The mean of per-seed values with its 95% interval: over two or more seeds the t interval of
// their mean (mean +- t sd / sqrt(n): the seeds' spread contains their noise over held-out sets);
// for one seed its own interval over sets, value +- 1.96 set_se. NaN values are left out; none
// left gives NaN.
Measured mean_over_seeds(std::span<const double> values, std::span<const double> set_se);

// The 95% upper bound of a Poisson mean after observing `count` events (exact for 0: 3.0;
// Wilson-Hilferty beyond).
double poisson_upper_95(double count);

// The 95% interval of a rate measured as `mean` with standard error `se` from `events` events in
// `trials` trials: the normal interval, cut at 0; on fewer than kMinFalsePositives events (where
// the normal interval fails, [0, 0] on none) the upper end is at least the Poisson bound.
Interval rate_interval(double mean, double se, double events, double trials);

// The central `level` interval of bootstrap replicates (by default the 2.5% and 97.5%
// percentiles; NaN replicates left out).
Interval percentile_interval(std::vector<double> replicates, double level = 0.95);

// "0.903 [0.890, 0.915]": the value and its 95% interval, each printed with `pattern` (printf,
// one double); the value alone when the interval is unknown.
std::string format_measured(const Measured& measured, const char* pattern);

}  // namespace bloomnet
