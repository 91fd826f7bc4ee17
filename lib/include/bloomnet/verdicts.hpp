// The report's answers to the essay's claims (REPORT.md's first table), each decided here by a
// stated rule on 95% intervals (statistics.hpp), so that the renderer only prints them. Each
// answers yes or no only where its interval lies wholly on one side of its threshold, and says
// "undecided" where the data cannot tell:
//   bimodality        the trained W_in splits into two modes (snap fraction at the reference
//                     width, over seeds);
//   filter behaviour  the hidden layer computes the union bits of the extracted hashes, and the
//                     net's positive sets agree with the filter of those hashes better than a
//                     perfect set predictor (the oracle) and a random filter of the same size do;
//   width law         eps falls exponentially in width for trained and exact nets and
//                     polynomially for the linear net and JL (sweep_fit.hpp's law);
//   width per nat     the trained net's C = -1/slope against random hashing's k / (ln 2)^2 (and
//                     the one-bit-per-neuron bound k / ln 2, below which no net can go).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/sweep_fit.hpp"

namespace bloomnet {

enum class Answer { kYes, kPartly, kNo, kUndecided };
template <>
struct EnumNames<Answer> {
  static constexpr const char* kWhat = "answer";
  static constexpr std::pair<Answer, const char*> kNames[] = {{Answer::kYes, "yes"},
                                                              {Answer::kPartly, "partly"},
                                                              {Answer::kNo, "no"},
                                                              {Answer::kUndecided, "undecided"}};
};

struct Verdict {
  std::string claim{};  // the essay's claim
  std::string rule{};   // how the numbers decide it, thresholds included
  Answer answer = Answer::kUndecided;
  std::string evidence{};  // the numbers the rule read, with their intervals
};

inline constexpr double kBimodalSnapFraction = 0.8;
inline constexpr double kUnionAccuracy = 0.95;

// Where a measured value lies against a threshold: wholly above it (kYes), wholly below (kNo),
// or across it (kUndecided). A value without an interval (one seed of an exact quantity) is
// judged by itself.
Answer side_of(const Measured& value, double threshold);

// `cell`: the trained nets at the reference width (their readings).
Verdict bimodality_verdict(const WidthCell& cell);
Verdict filter_behaviour_verdict(const WidthCell& cell);
// None when the fits hold none of the four methods.
std::optional<Verdict> width_law_verdict(const std::vector<MethodFit>& fits);
// None without a trained fit; k: the set size.
std::optional<Verdict> width_per_nat_verdict(const std::vector<MethodFit>& fits, size_t k);

}  // namespace bloomnet
