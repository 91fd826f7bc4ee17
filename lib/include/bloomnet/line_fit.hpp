// Ordinary least squares of y against x: a line, with the coefficient of determination, and the
// curvature of a parabola. The width study (sweep_fit.hpp) fits ln eps against d, where an
// exponential law is a line and a power law bends up, and against ln d, where a power law is a
// line and an exponential bends down.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <span>

namespace bloomnet {

struct LineFit {
  double slope = 0, intercept = 0;
  double r2 = 0;  // 1 - residual / total sum of squares; 1 when y is constant and fitted exactly
  size_t points = 0;
};

// Requires xs and ys of equal length with at least two distinct x values (Error otherwise).
LineFit fit_line(std::span<const double> xs, std::span<const double> ys);

// The quadratic coefficient c of the least-squares parabola y = a + b u + c u^2 in u, the x
// standardized over xs (mean 0, standard deviation 1): how far y bends away from a line over the
// range of the data, in y's units, whatever x's scale. Requires at least three distinct x.
double fit_curvature(std::span<const double> xs, std::span<const double> ys);

}  // namespace bloomnet
