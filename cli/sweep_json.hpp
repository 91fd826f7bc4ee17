// The fits of a width sweep as JSON, one spelling for sweep, fit and report.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "bloomnet/width_sweep.hpp"

namespace bloomnet::cli {

// The better of the two fits, when three or more widths can tell them apart.
inline const char* law(const MethodFit& f) {
  if (f.widths < 3 || f.linear.r2 == f.log_log.r2) return "undecided";
  return f.linear.r2 > f.log_log.r2 ? "exponential" : "polynomial";
}

inline nlohmann::json fits_json(const std::vector<MethodFit>& fits) {
  nlohmann::json out = nlohmann::json::array();
  for (const MethodFit& f : fits) {
    out.push_back({{"method", to_string(f.method)},
                   {"points", f.linear.points},
                   {"unresolved", f.unresolved},
                   {"slope_per_width", f.linear.slope},
                   {"intercept", f.linear.intercept},
                   {"r2_linear", f.linear.r2},
                   {"slope_log_log", f.log_log.slope},
                   {"intercept_log_log", f.log_log.intercept},
                   {"r2_log_log", f.log_log.r2},
                   {"widths", f.widths},
                   {"law", law(f)}});
  }
  return out;
}

}  // namespace bloomnet::cli
