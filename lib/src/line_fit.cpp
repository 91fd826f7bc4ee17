#include "bloomnet/line_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bloomnet/error.hpp"

namespace bloomnet {

LineFit fit_line(std::span<const double> xs, std::span<const double> ys) {
  require(xs.size() == ys.size(), "a line fit needs as many x values as y values");
  const size_t n = xs.size();
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < n; ++i) {
    mean_x += xs[i];
    mean_y += ys[i];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  // Centred sums: no cancellation between large sums of squares.
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (xs[i] - mean_x) * (xs[i] - mean_x);
    sxy += (xs[i] - mean_x) * (ys[i] - mean_y);
    syy += (ys[i] - mean_y) * (ys[i] - mean_y);
  }
  require(n >= 2 && sxx > 0, "a line fit needs at least two distinct x values");
  LineFit fit;
  fit.points = n;
  fit.slope = sxy / sxx;
  fit.intercept = mean_y - fit.slope * mean_x;
  double residual = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = ys[i] - (fit.intercept + fit.slope * xs[i]);
    residual += e * e;
  }
  // A constant y whose mean does not round exactly (ten copies of -9.99) keeps a spread of
  // rounding errors, which R^2 would compare against a residual of the same size: such a y is
  // fitted exactly.
  double largest = 0;
  for (size_t i = 0; i < n; ++i) largest = std::max(largest, std::abs(ys[i]));
  const double rounding = std::pow(4 * std::numeric_limits<double>::epsilon() * largest, 2);
  fit.r2 = syy > static_cast<double>(n) * rounding ? 1.0 - residual / syy : 1.0;
  return fit;
}

}  // namespace bloomnet
