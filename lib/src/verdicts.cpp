#include "bloomnet/verdicts.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <numbers>

namespace bloomnet {
namespace {

// printf into a std::string.
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  char text[1024];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

const MethodFit* fit_of(const std::vector<MethodFit>& fits, SweepMethod method) {
  for (const MethodFit& fit : fits) {
    if (fit.method == method) return &fit;
  }
  return nullptr;
}

}  // namespace

Answer side_of(const Measured& value, double threshold) {
  if (std::isnan(value.value)) return Answer::kUndecided;
  const bool known = !std::isnan(value.ci.lo) && !std::isnan(value.ci.hi);
  const double lo = known ? value.ci.lo : value.value, hi = known ? value.ci.hi : value.value;
  if (lo >= threshold) return Answer::kYes;
  if (hi < threshold) return Answer::kNo;
  return Answer::kUndecided;
}

Verdict bimodality_verdict(const WidthCell& cell) {
  return {.claim = "The trained W_in is bimodal",
          .rule = format("snap fraction at d = %zu >= %g (95%% interval over %zu seeds)",
                         cell.width, kBimodalSnapFraction, cell.rows),
          .answer = side_of(cell.snap_fraction, kBimodalSnapFraction),
          .evidence = format("snap fraction %s; %s hash bits per token",
                             format_measured(cell.snap_fraction, "%.3f").c_str(),
                             format_measured(cell.hashes, "%.1f").c_str())};
}

Verdict filter_behaviour_verdict(const WidthCell& cell) {
  const Answer union_bits = side_of(cell.union_accuracy, kUnionAccuracy);
  const Answer over_oracle = side_of(cell.jaccard_over_oracle, 0.0);
  const Answer over_random = side_of(cell.jaccard_over_random, 0.0);
  Answer answer = Answer::kPartly;
  if (union_bits == Answer::kYes && over_oracle == Answer::kYes && over_random == Answer::kYes) {
    answer = Answer::kYes;
  } else if (union_bits == Answer::kNo || over_oracle == Answer::kNo) {
    answer = Answer::kNo;
  } else if (union_bits == Answer::kUndecided && over_oracle == Answer::kUndecided) {
    answer = Answer::kUndecided;
  }
  return {
      .claim = "The trained net behaves like the Bloom filter of its extracted hashes",
      .rule = format("at d = %zu over %zu seeds: union accuracy >= %g, and the mean Jaccard of "
                     "P(S) with the filter of H^ above a perfect set predictor's (P(S) = S) and "
                     "a random filter's of the same size and hash counts (95%% intervals)",
                     cell.width, cell.rows, kUnionAccuracy),
      .answer = answer,
      .evidence = format(
          "union accuracy %s; Jaccard %s against the oracle's %s (difference %s) and the random "
          "filter's %s (difference %s); exact match %s against the oracle's %s",
          format_measured(cell.union_accuracy, "%.4f").c_str(),
          format_measured(cell.agreement_jaccard, "%.4f").c_str(),
          format_measured(cell.oracle_jaccard, "%.4f").c_str(),
          format_measured(cell.jaccard_over_oracle, "%+.4f").c_str(),
          format_measured(cell.random_jaccard, "%.4f").c_str(),
          format_measured(cell.jaccard_over_random, "%+.4f").c_str(),
          format_measured(cell.agreement_exact_match, "%.3f").c_str(),
          format_measured(cell.oracle_exact_match, "%.3f").c_str())};
}

std::optional<Verdict> width_law_verdict(const std::vector<MethodFit>& fits) {
  std::string evidence;
  bool any = false, contradicted = false, all_decided = true;
  for (const auto& [method, expected] : {std::pair{SweepMethod::kTrained, Law::kExponential},
                                         std::pair{SweepMethod::kExact, Law::kExponential},
                                         std::pair{SweepMethod::kLinear, Law::kPolynomial},
                                         std::pair{SweepMethod::kJl, Law::kPolynomial}}) {
    const MethodFit* fit = fit_of(fits, method);
    if (!evidence.empty()) evidence += "; ";
    if (fit == nullptr) {
      evidence += format("%s: no fit", to_string(method));
      all_decided = false;
      continue;
    }
    any = true;
    evidence +=
        format("%s: %s (%s) on %zu widths, slope %s per unit of d, ln-ln slope %s",
               to_string(method), to_string(fit->law), fit->reason.c_str(), fit->tail.size(),
               format_measured({fit->linear.slope, fit->slope_ci}, "%.4f").c_str(),
               format_measured({fit->log_log.slope, fit->log_log_slope_ci}, "%.3f").c_str());
    contradicted = contradicted || (fit->law != Law::kUndecided && fit->law != expected);
    all_decided = all_decided && fit->law == expected;
  }
  if (!any) return std::nullopt;
  return Verdict{
      .claim =
          "eps falls exponentially in width for trained and exact nets, polynomially for the "
          "linear net and JL superposition",
      .rule =
          "each method's law from the curvatures of ln eps against d and against ln d on its "
          "unsaturated, resolved widths (95% bootstrap intervals over seeds and sets); "
          "undecided when any method is",
      .answer = contradicted  ? Answer::kNo
                : all_decided ? Answer::kYes
                              : Answer::kUndecided,
      .evidence = evidence};
}

std::optional<Verdict> width_per_nat_verdict(const std::vector<MethodFit>& fits, size_t k) {
  const MethodFit* trained = fit_of(fits, SweepMethod::kTrained);
  if (trained == nullptr) return std::nullopt;
  const double ln2 = std::numbers::ln2;
  const double random = static_cast<double>(k) / (ln2 * ln2), bound = static_cast<double>(k) / ln2;
  // Fewer neurons per nat is better: the trained net beats random hashing when its C lies
  // wholly below random hashing's.
  const Answer below = side_of(trained->width_per_nat, random);
  const Answer answer = below == Answer::kYes  ? Answer::kNo
                        : below == Answer::kNo ? Answer::kYes
                                               : Answer::kUndecided;
  std::string evidence =
      format("trained C = %s", format_measured(trained->width_per_nat, "%.2f").c_str());
  for (SweepMethod method : {SweepMethod::kExact, SweepMethod::kTheory}) {
    if (const MethodFit* fit = fit_of(fits, method)) {
      evidence += format(", %s C = %s", to_string(method),
                         format_measured(fit->width_per_nat, "%.2f").c_str());
    }
  }
  evidence += format(
      "; random hashing at its best h: k / (ln 2)^2 = %.2f; one bit per neuron "
      "(FPR >= 2^(-d/k)) allows no C below k / ln 2 = %.2f",
      random, bound);
  return Verdict{.claim = "The trained net needs less width per nat of 1/eps than random hashing",
                 .rule =
                     "C = -1/slope of ln eps against d on the unsaturated widths, its 95% "
                     "interval wholly below (yes) or above (no) k / (ln 2)^2",
                 .answer = answer,
                 .evidence = evidence};
}

}  // namespace bloomnet
