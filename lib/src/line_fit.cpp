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

double fit_curvature(std::span<const double> xs, std::span<const double> ys) {
  require(xs.size() == ys.size(), "a parabola fit needs as many x values as y values");
  const size_t n = xs.size();
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(n);
  double spread = 0;
  for (double x : xs) spread += (x - mean) * (x - mean);
  spread = std::sqrt(spread / static_cast<double>(n));
  require(n >= 3 && spread > 0, "a parabola fit needs at least three distinct x values");
  // Normal equations in u = (x - mean) / spread, whose sums of u and u^2 are 0 and n: the
  // system for (a, b, c) splits, b alone and (a, c) together.
  double su3 = 0, su4 = 0, sy = 0, su2y = 0;
  for (size_t i = 0; i < n; ++i) {
    const double u = (xs[i] - mean) / spread;
    su3 += u * u * u;
    su4 += u * u * u * u;
    sy += ys[i];
    su2y += u * u * ys[i];
  }
  double su1y = 0;
  for (size_t i = 0; i < n; ++i) su1y += (xs[i] - mean) / spread * ys[i];
  const auto count = static_cast<double>(n);
  // [n 0 n; 0 n su3; n su3 su4] (a b c) = (sy su1y su2y): eliminate b = (su1y - su3 c) / n.
  const double denominator = su4 - count - su3 * su3 / count;
  require(denominator > 1e-12 * su4, "a parabola fit needs at least three distinct x values");
  return (su2y - sy - su3 * su1y / count) / denominator;
}

}  // namespace bloomnet
