#include "bloomnet/verdicts.hpp"

#include <cstdarg>
#include <cstdio>

namespace bloomnet {
namespace {

// printf into a std::string.
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  char text[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

}  // namespace

Verdict bimodality_verdict(const NetworkReading& r) {
  const bool bimodal = r.modes.snap_fraction >= kBimodalSnapFraction;
  return {.claim = "The trained W_in is bimodal",
          .rule = format("snap fraction >= %g", kBimodalSnapFraction),
          .answer = bimodal ? Answer::kYes : Answer::kNo,
          .evidence = format("snap fraction %.3f; modes c0 = %+.2f, c1 = %+.2f; %.1f hash bits per "
                             "token (optimum %.1f)",
                             r.modes.snap_fraction, r.modes.background, r.modes.hash,
                             r.hash_count_mean, r.hash_count_optimum)};
}

Verdict filter_behaviour_verdict(const NetworkReading& r) {
  const bool union_bits = r.union_match.accuracy >= kUnionAccuracy;
  const bool behaves = *r.metrics.filter_jaccard >= kFilterJaccard;
  return {
      .claim = "The trained net behaves like the Bloom filter of its extracted hashes",
      .rule = format("union accuracy >= %g and mean Jaccard >= %g", kUnionAccuracy, kFilterJaccard),
      .answer = union_bits && behaves   ? Answer::kYes
                : union_bits || behaves ? Answer::kPartly
                                        : Answer::kNo,
      .evidence = format("hidden layer matches the union bits with accuracy %.4f; positive "
                         "sets: exact match %.3f, mean Jaccard %.3f; FPR of those hashes %.3g "
                         "vs %.3g for a random filter of the same m, h",
                         r.union_match.accuracy, *r.metrics.filter_agreement,
                         *r.metrics.filter_jaccard, *r.metrics.filter_fpr, r.fpr_theory)};
}

std::optional<Verdict> width_law_verdict(const std::vector<MethodFit>& fits) {
  std::string evidence;
  bool all_hold = true;
  for (const auto& [method, expected] : {std::pair{SweepMethod::kTrained, Law::kExponential},
                                         std::pair{SweepMethod::kExact, Law::kExponential},
                                         std::pair{SweepMethod::kJl, Law::kPolynomial}}) {
    for (const MethodFit& f : fits) {
      if (f.method != method) continue;
      if (!evidence.empty()) evidence += "; ";
      evidence += format(
          "%s: R^2 %.3f (ln eps vs d, slope %.3f) vs %.3f (vs ln d, slope %.2f) "
          "-> %s",
          to_string(method), f.linear.r2, f.linear.slope, f.log_log.r2, f.log_log.slope,
          to_string(f.law));
      all_hold = all_hold && f.law == expected;
    }
  }
  if (evidence.empty()) return std::nullopt;
  return Verdict{.claim = "eps falls exponentially in width for trained and exact nets, not for JL",
                 .rule = "the better R^2 of the two fits decides",
                 .answer = all_hold ? Answer::kYes : Answer::kNo,
                 .evidence = evidence};
}

}  // namespace bloomnet
