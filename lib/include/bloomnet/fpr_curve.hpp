// The measured false-positive rate of a seeded Bloom filter (SPEC section 3) as the number of
// keys n grows, against the classic formula (fpr_theory) and the exact law of families with
// distinct positions (fpr_distinct), with the standard error of each measurement.
//
// Thread safety: measure_fpr_curve is reentrant; it parallelizes inside (OpenMP) and its result
// does not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bloomnet/statistics.hpp"

namespace bloomnet {

struct FprCurvePoint {
  size_t n = 0;            // keys in the filter
  double measured = 0;     // mean over sets of |F(S) \ S| / (V - n)
  double std_error = 0;    // its standard error: sample sd / sqrt(sets)
  Interval ci{};           // its 95% interval (rate_interval)
  double theory = 0;       // (1 - (1 - 1/m)^(h n))^h
  double distinct = 0;     // fpr_distinct(m, h, n).mean
  double distinct_sd = 0;  // its spread between filters, sqrt(fpr_distinct(m, h, n).variance)
};

struct FprCurve {
  size_t V = 0, m = 0, h = 0, sets = 0;
  std::vector<FprCurvePoint> points{};
};

// For each n, `sets` random sets of n distinct tokens (TaskSampler, seed `set_seed`) inserted
// into a filter of the seeded family (V, m, h, family_seed). Throws Error for n outside [1, V),
// sets 0, or a family HashFamily refuses.
FprCurve measure_fpr_curve(size_t V, size_t m, size_t h, std::span<const size_t> ns, size_t sets,
                           uint64_t family_seed = 0, uint64_t set_seed = 7);

// n,fpr_measured,fpr_stderr,fpr_lo,fpr_hi,fpr_theory,fpr_distinct,fpr_distinct_sd, 6 significant
// digits.
std::string fpr_curve_csv(const FprCurve& curve);

}  // namespace bloomnet
