// What the width study's rows (sweep_table.hpp) say about the law of eps against width (SPEC
// section 6), with every number's 95% interval (statistics.hpp).
//
// Per (method, width), over its seeds (width_cells): the mean of each metric with its interval
// over seeds and held-out sets, and whether the width can speak for the law at all:
//   saturated   mean eps above half the no-information ceiling (the eps of a uniform output,
//               1/|S| - 1/V averaged over the set sizes): there every method sits near its
//               ceiling, whatever its law;
//   unresolved  a row rests on fewer than kMinFalsePositives false positives and its eps has a
//               standard error above kResolvedRelativeError of itself (an eps made of false
//               positives), or measured eps below kResolvedMse: its eps is only bounded
//               (mse_upper, 95%).
// Per method, on the "tail" widths (fit_sweep): those wider than the widest saturated width
// (saturation is a narrow width's, and noise may put a capped eps just below half the ceiling)
// and resolved:
//   the tail slope s of ln eps against d (least squares on the widths' means), C = -1/s, the
//   hidden width per nat of 1/eps, and the slope of ln eps against ln d (a power law's exponent);
//   the curvature of ln eps against d and against ln d (line_fit.hpp's fit_curvature): an
//   exponential law is straight against d and bends down against ln d, a power law is straight
//   against ln d and bends up against d;
//   each with a 95% parametric bootstrap interval over seeds and held-out sets:
//   kBootstrapReplicates replicates, each drawing every width's ln mean eps from its sampling
//   law: a normal draw times its standard error, from the spread of ln eps between seeds pooled
//   over the tail widths (redrawn once per replicate from its chi-squared law with the pooled
//   degrees of freedom, since one estimate serves every width), never below a row's relative
//   error over sets; seeded, so that the same rows give the same intervals.
// The law, from two readings of the tail: of eps, and of the ceiling-corrected t = eps c /
// (c - eps). Leaving out widths above half the ceiling removes a hard cap, not a gradual approach
// to it: a filter's eps = (1/k) f / (k + f) for f false positives per set is c t / (c + t) with
// t = f / k^2 its uncapped value, already halved at t = c, and near the ceiling such an approach
// bends a power law down like an exponential. Which reading is right depends on how eps meets
// the ceiling, and the data do not say; so a reading shows the exponential pattern when ln eps
// bends down against ln d (95% interval below 0) and not up against d (its 99.9% interval does
// not lie above 0: a straight line is not called bent one time in forty), the polynomial pattern
// in the mirror case; a law is called when its pattern shows in one reading, the other law's in
// neither, and its own bend at 99.9% in both. Otherwise, with fewer than kMinLawWidths tail
// widths, or where a tail width has one measured seed (its intervals cannot hold the spread
// between seeds; closed-form rows have none), the law is undecided.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/line_fit.hpp"
#include "bloomnet/statistics.hpp"
#include "bloomnet/sweep_table.hpp"

namespace bloomnet {

// Measured eps below this saw no false positive at all: ln eps is meaningless there.
inline constexpr double kResolvedMse = 1e-12;
// Or a relative standard error this small: what kMinFalsePositives equal events would give.
inline constexpr double kResolvedRelativeError = 0.1;
inline constexpr size_t kMinLawWidths = 4;
inline constexpr size_t kBootstrapReplicates = 10000;

enum class Law { kExponential, kPolynomial, kUndecided };
template <>
struct EnumNames<Law> {
  static constexpr const char* kWhat = "law";
  static constexpr std::pair<Law, const char*> kNames[] = {{Law::kExponential, "exponential"},
                                                           {Law::kPolynomial, "polynomial"},
                                                           {Law::kUndecided, "undecided"}};
};

// The eps of a uniform output over V on sets of k..k_max tokens (k_max 0: k alone), averaged
// over the set sizes: sum_t (1/V - q_t)^2 = 1/|S| - 1/V.
double no_information_mse(size_t V, size_t k, size_t k_max);

// The rows of one (method, width), over their seeds. Readings only for trained and linear rows.
struct WidthCell {
  SweepMethod method = SweepMethod::kTrained;
  size_t width = 0;
  size_t rows = 0;
  Measured mse{}, topk_exact{}, fpr{};
  Measured hashes{};  // mean h (exact, theory) or hash bits per token (trained, linear)
  bool saturated = false;
  bool unresolved = false;
  double mse_upper = NAN;  // unresolved: the 95% upper bound the sets give
  Measured snap_fraction{}, union_accuracy{}, agreement_exact_match{}, agreement_jaccard{},
      oracle_exact_match{}, oracle_jaccard{}, random_jaccard{}, filter_fpr{}, random_fpr{};
  // The net's Jaccard minus the oracle's and minus the random filter's, seed by seed (standard
  // errors combined as if independent, which only widens the interval).
  Measured jaccard_over_oracle{}, jaccard_over_random{};
};
// In canonical order.
std::vector<WidthCell> width_cells(const std::vector<SweepRow>& rows);

struct MethodFit {
  SweepMethod method = SweepMethod::kTrained;
  size_t widths = 0;                     // distinct widths with rows
  std::vector<size_t> tail{};            // the widths fitted
  size_t saturated = 0, unresolved = 0;  // widths left out
  LineFit linear{};                      // ln eps against d, on the tail
  LineFit log_log{};                     // ln eps against ln d, on the tail
  Interval slope_ci{}, intercept_ci{}, log_log_slope_ci{};
  Measured width_per_nat{};  // C = -1/slope; NaN unless the slope is negative
  Measured curvature_linear{}, curvature_log_log{};  // NaN below three tail widths
  // The same of the ceiling-corrected eps.
  Measured corrected_curvature_linear{}, corrected_curvature_log_log{};
  Law law = Law::kUndecided;
  std::string reason{};  // why the law is what it is, in a few words
};

// One fit per method with at least two tail widths, in canonical order.
std::vector<MethodFit> fit_sweep(const std::vector<SweepRow>& rows);

}  // namespace bloomnet
