#include "bloomnet/sweep_fit.hpp"

#include <cmath>
#include <set>

namespace bloomnet {
namespace {

// The mean of the values that are not NaN; NaN when there are none.
template <class Values>
double mean_of_known(const Values& values) {
  double sum = 0;
  size_t n = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  return n ? sum / static_cast<double>(n) : NAN;
}

}  // namespace

Law law_of(const LineFit& linear, const LineFit& log_log, size_t widths) {
  if (widths < 3 || linear.r2 == log_log.r2) return Law::kUndecided;
  return linear.r2 > log_log.r2 ? Law::kExponential : Law::kPolynomial;
}

std::vector<MethodFit> fit_sweep(const std::vector<SweepRow>& rows) {
  std::vector<MethodFit> fits;
  for (const auto& [method, name] : EnumNames<SweepMethod>::kNames) {
    std::vector<double> width, log_width, log_mse;
    size_t unresolved = 0;
    for (const SweepRow& row : rows) {
      if (row.point.method != method || std::isnan(row.mse)) continue;
      if (row.mse < kResolvedMse) {
        ++unresolved;
        continue;
      }
      width.push_back(static_cast<double>(row.point.width));
      log_width.push_back(std::log(static_cast<double>(row.point.width)));
      log_mse.push_back(std::log(row.mse));
    }
    const size_t widths = std::set<double>(width.begin(), width.end()).size();
    if (widths < 2) continue;
    MethodFit fit{.method = method,
                  .linear = fit_line(width, log_mse),
                  .log_log = fit_line(log_width, log_mse),
                  .widths = widths,
                  .unresolved = unresolved};
    fit.law = law_of(fit.linear, fit.log_log, widths);
    fits.push_back(fit);
  }
  return fits;
}

std::vector<SweepCell> sweep_cells(const std::vector<SweepRow>& rows) {
  std::vector<SweepCell> cells;
  for (const auto& [method, name] : EnumNames<SweepMethod>::kNames) {
    std::set<size_t> widths;
    for (const SweepRow& row : rows) {
      if (row.point.method == method) widths.insert(row.point.width);
    }
    for (size_t width : widths) {
      std::vector<double> mse, mse_3q, hashes;
      for (const SweepRow& row : rows) {
        if (row.point.method != method || row.point.width != width) continue;
        mse.push_back(row.mse);
        mse_3q.push_back(row.mse_3q);
        hashes.push_back(row.hashes);
      }
      SweepCell cell{.method = method,
                     .width = width,
                     .rows = mse.size(),
                     .mse = mean_of_known(mse),
                     .hashes = mean_of_known(hashes)};
      const double before = mean_of_known(mse_3q);
      cell.still_improving = is_trained(method) && !std::isnan(before) &&
                             cell.mse < (1 - kStillImprovingGain) * before;
      cells.push_back(cell);
    }
  }
  return cells;
}

}  // namespace bloomnet
