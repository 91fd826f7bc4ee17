// What the width study's rows (sweep_table.hpp) say about the law of eps against width (SPEC
// section 6): per method, least-squares fits of ln eps against d (an exponential law) and against
// ln d (a power law), the verdict between them, and the table of mean eps per (method, width)
// with the flag of a trained point that was still improving at the end of its budget.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/line_fit.hpp"
#include "bloomnet/sweep_table.hpp"

namespace bloomnet {

// Rows with eps below this measured no false positive at all: ln eps is meaningless there.
inline constexpr double kResolvedMse = 1e-12;

enum class Law { kExponential, kPolynomial, kUndecided };
template <>
struct EnumNames<Law> {
  static constexpr const char* kWhat = "law";
  static constexpr std::pair<Law, const char*> kNames[] = {{Law::kExponential, "exponential"},
                                                           {Law::kPolynomial, "polynomial"},
                                                           {Law::kUndecided, "undecided"}};
};

struct MethodFit {
  SweepMethod method = SweepMethod::kTrained;
  LineFit linear{};       // ln eps against d
  LineFit log_log{};      // ln eps against ln d
  size_t widths = 0;      // distinct widths fitted: three or more tell the laws apart
  size_t unresolved = 0;  // rows left out: eps below kResolvedMse
  Law law = Law::kUndecided;
};

// The rule: the fit of the better R^2 wins, given at least three distinct widths; otherwise,
// or on a tie, undecided.
Law law_of(const LineFit& linear, const LineFit& log_log, size_t widths);

// One fit per method with at least two distinct widths of resolved eps, in canonical order.
std::vector<MethodFit> fit_sweep(const std::vector<SweepRow>& rows);

// A trained (or linear) point whose last quarter of training still lowered held-out eps by more
// than this share is marked as still improving: its eps is a budget limit, not the law.
inline constexpr double kStillImprovingGain = 0.1;

// The rows of one (method, width), averaged over seeds (NaN values left out).
struct SweepCell {
  SweepMethod method = SweepMethod::kTrained;
  size_t width = 0;
  size_t rows = 0;
  double mse = 0;     // mean eps
  double hashes = 0;  // mean h (exact, theory) or hash bits per token (trained, linear); NaN: none
  bool still_improving = false;  // trained and linear only: mean eps < (1 - gain) mean mse_3q
};
// In canonical order.
std::vector<SweepCell> sweep_cells(const std::vector<SweepRow>& rows);

}  // namespace bloomnet
