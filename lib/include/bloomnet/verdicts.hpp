// The report's answers to the essay's claims (reports/REPORT.md's first table), each decided here
// by a stated rule with its thresholds, so that the renderer only prints them:
//   bimodality         the trained W_in splits into two modes;
//   filter behaviour   the hidden layer computes the union bits of the extracted hashes and the
//                      positive sets agree with the filter of those hashes;
//   width law          eps falls exponentially in width for trained and exact nets, not for JL.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/analysis.hpp"
#include "bloomnet/enum_names.hpp"
#include "bloomnet/sweep_fit.hpp"

namespace bloomnet {

enum class Answer { kYes, kPartly, kNo };
template <>
struct EnumNames<Answer> {
  static constexpr const char* kWhat = "answer";
  static constexpr std::pair<Answer, const char*> kNames[] = {
      {Answer::kYes, "yes"}, {Answer::kPartly, "partly"}, {Answer::kNo, "no"}};
};

struct Verdict {
  std::string claim{};  // the essay's claim
  std::string rule{};   // how the numbers decide it, thresholds included
  Answer answer = Answer::kNo;
  std::string evidence{};  // the numbers the rule read
};

inline constexpr double kBimodalSnapFraction = 0.8;
inline constexpr double kUnionAccuracy = 0.95;
inline constexpr double kFilterJaccard = 0.9;

// Yes when the snap fraction reaches kBimodalSnapFraction.
Verdict bimodality_verdict(const NetworkReading& reading);
// Yes when the union accuracy reaches kUnionAccuracy and the mean Jaccard kFilterJaccard, partly
// when one of them does.
Verdict filter_behaviour_verdict(const NetworkReading& reading);
// Yes when every fitted method among trained, exact (exponential) and JL (polynomial) gets its
// law from law_of; none when no such method was fitted.
std::optional<Verdict> width_law_verdict(const std::vector<MethodFit>& fits);

}  // namespace bloomnet
