#include "bloomnet/fpr_curve.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

FprCurve measure_fpr_curve(size_t V, size_t m, size_t h, std::span<const size_t> ns, size_t sets,
                           uint64_t family_seed, uint64_t set_seed) {
  require(sets >= 1, "an FPR curve needs at least one set per point");
  const auto family = std::make_shared<const HashFamily>(V, m, h, family_seed);
  FprCurve curve{.V = V, .m = m, .h = h, .sets = sets, .points = {}};
  for (size_t n : ns) {
    require(n >= 1 && n < V, "an FPR curve needs 1 <= n < V (n = " + std::to_string(n) + ")");
    TokenBatch batch;
    TaskSampler({V, n, 0, 0.0}, set_seed).sample(0, sets, batch);
    std::vector<double> per_set(sets);
#pragma omp parallel for schedule(static)
    for (long s = 0; s < static_cast<long>(sets); ++s) {
      BloomFilter filter(family);
      filter.insert(batch.set(s));
      per_set[s] = static_cast<double>(filter.positives().count() - n) / static_cast<double>(V - n);
    }
    double mean = 0, square = 0;
    for (double f : per_set) {
      mean += f;
      square += f * f;
    }
    mean /= static_cast<double>(sets);
    const double sd = std::sqrt(std::max(0.0, square / static_cast<double>(sets) - mean * mean));
    const FprDistinct distinct = fpr_distinct(m, h, n);
    const double trials = static_cast<double>(sets) * static_cast<double>(V - n);
    const double se = sd / std::sqrt(static_cast<double>(sets));
    curve.points.push_back({.n = n,
                            .measured = mean,
                            .std_error = se,
                            .ci = rate_interval(mean, se, std::round(mean * trials), trials),
                            .theory = fpr_theory(m, h, n),
                            .distinct = distinct.mean,
                            .distinct_sd = std::sqrt(distinct.variance)});
  }
  return curve;
}

std::string fpr_curve_csv(const FprCurve& curve) {
  std::string csv =
      "n,fpr_measured,fpr_stderr,fpr_lo,fpr_hi,fpr_theory,fpr_distinct,fpr_distinct_sd\n";
  for (const FprCurvePoint& p : curve.points) {
    char row[240];
    std::snprintf(row, sizeof row, "%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", p.n, p.measured,
                  p.std_error, p.ci.lo, p.ci.hi, p.theory, p.distinct, p.distinct_sd);
    csv += row;
  }
  return csv;
}

}  // namespace bloomnet
