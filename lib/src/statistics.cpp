#include "bloomnet/statistics.hpp"

#include <algorithm>
#include <cstdio>

#include "bloomnet/error.hpp"

namespace bloomnet {

double t_975(size_t dof) {
  require(dof >= 1, "Student's t needs at least one degree of freedom");
  // t(0.975, dof) for dof = 1..30.
  constexpr double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                               2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  return dof <= std::size(kTable) ? kTable[dof - 1] : 1.96;
}

Measured mean_over_seeds(std::span<const double> values, std::span<const double> set_se) {
  require(values.size() == set_se.size(), "one standard error per value");
  std::vector<double> known, errors;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) continue;
    known.push_back(values[i]);
    errors.push_back(set_se[i]);
  }
  if (known.empty()) return {};
  const auto n = static_cast<double>(known.size());
  double mean = 0;
  for (double v : known) mean += v;
  mean /= n;
  if (known.size() == 1) {
    const double half = 1.96 * errors[0];
    return {mean, {mean - half, mean + half}};
  }
  double square = 0;
  for (double v : known) square += (v - mean) * (v - mean);
  const double half = t_975(known.size() - 1) * std::sqrt(square / (n - 1) / n);
  return {mean, {mean - half, mean + half}};
}

double poisson_upper_95(double count) {
  if (count <= 0) return 3.0;  // -ln 0.05
  const double c = count + 1;
  const double root = 1 - 1 / (9 * c) + 1.96 / (3 * std::sqrt(c));
  return c * root * root * root;
}

Interval rate_interval(double mean, double se, double events, double trials) {
  Interval ci{std::max(0.0, mean - 1.96 * se), mean + 1.96 * se};
  if (events < static_cast<double>(kMinFalsePositives)) {
    ci.hi = std::max(ci.hi, poisson_upper_95(events) / trials);
  }
  return ci;
}

Interval percentile_interval(std::vector<double> replicates, double level) {
  std::erase_if(replicates, [](double x) { return std::isnan(x); });
  if (replicates.empty()) return {};
  std::sort(replicates.begin(), replicates.end());
  auto at = [&](double q) {
    const double position = q * static_cast<double>(replicates.size() - 1);
    const auto below = static_cast<size_t>(position);
    const size_t above = std::min(below + 1, replicates.size() - 1);
    const double weight = position - static_cast<double>(below);
    return replicates[below] * (1 - weight) + replicates[above] * weight;
  };
  return {at((1 - level) / 2), at((1 + level) / 2)};
}

std::string format_measured(const Measured& measured, const char* pattern) {
  auto text = [&](double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, x);
    return std::string(buffer);
  };
  if (std::isnan(measured.ci.lo) || std::isnan(measured.ci.hi)) return text(measured.value);
  return text(measured.value) + " [" + text(measured.ci.lo) + ", " + text(measured.ci.hi) + "]";
}

}  // namespace bloomnet
