// Ordinary least squares of y against x, with the coefficient of determination: how the width
// study (width_sweep.hpp) tells an exponential law (log eps linear in d) from a polynomial one
// (log eps linear in log d).
//
// Thread safety: a pure function.
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

}  // namespace bloomnet
