// Held-out metrics of a network on the task (SPEC section 5, last bullets), averaged over sets S
// drawn by a TaskSampler with the evaluation seed, each with its standard error over the sets:
//   mse          eps = sum_t (p_t - q_t)^2, q uniform on S
//   ce           -sum_t q_t log p_t
//   topk_exact   share of sets whose |S| largest logits are exactly S (min over S > max outside S)
//   false_positives_mean  tokens outside S with z_t >= min over S of z
//   recall       share of S inside the net's positive set P(S) = {t : p_t >= max_u p_u / 2}
//   fpr_measured |P(S) \ S| / (V - |S|)
// and, given a reference hash family, the net against the Bloom filter F of S over that family
// (FilterAgreement). Rare events need many sets: an evaluation may keep drawing sets until it has
// seen enough false positives (min_false_positives, up to max_sets).
//
// Thread safety: evaluate() is reentrant; it parallelizes internally (OpenMP) and its result does
// not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bloomnet/bitset.hpp"
#include "bloomnet/hash_family.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/random.hpp"

namespace bloomnet {

struct EvalConfig {
  size_t k = 0;
  size_t k_max = 0;   // sets of k..k_max tokens when above k (TaskConfig)
  double zipf = 0.0;  // Zipf-distributed tokens when > 0 (TaskConfig)
  size_t sets = 4096;
  // When above `sets`: after `sets` sets, keep doubling the sets evaluated (the next ones of the
  // same stream) until min_false_positives false positives were seen or max_sets reached.
  size_t max_sets = 0;
  size_t min_false_positives = 0;
  uint64_t seed = 1;
  // Held-out sets by default; tuning evaluates on training sets (kTrainSet) instead.
  Purpose purpose = Purpose::kTaskSet;
  size_t batch = 256;  // sets per forward pass
  // When set, the positive set is {t : z_t >= positive_logit} instead of P(S) (the JL baseline's
  // tuned threshold, times its beta).
  std::optional<double> positive_logit = std::nullopt;
  // Called after each batch with (sets done, sets in all), from the calling thread.
  std::function<void(size_t, size_t)> progress = nullptr;
};

// A mean over held-out sets and its standard error (the sample standard deviation over the sets
// divided by sqrt(sets); for a ratio of two sums, the delta method's).
struct Estimate {
  double mean = 0;
  double se = 0;
};

// The mean and standard error of n values from their sum and sum of squares (se NaN for n < 2).
Estimate mean_and_error(double sum, double square, size_t n);

// The net's positive sets P(S) against the positives F(S) of a Bloom filter of S, with the
// baseline a verdict must beat: a perfect predictor P(S) = S scored against the same filter.
struct FilterAgreement {
  Estimate exact_match;         // share of sets with P(S) = F(S)
  Estimate jaccard;             // mean |P(S) n F(S)| / |P(S) u F(S)|
  Estimate fpr;                 // the filter's own |F(S) \ S| / (V - |S|)
  Estimate oracle_exact_match;  // share of sets with F(S) = S
  Estimate oracle_jaccard;      // mean |S| / |F(S)|
  // Over all held-out sets: the share of the filter's false positives the net reports too, and
  // the share of the net's false positives the filter reports too.
  Estimate net_fp_given_filter_fp;
  Estimate filter_fp_given_net_fp;
};

struct Metrics {
  size_t sets = 0;
  double mse = 0, ce = 0, topk_exact = 0, false_positives_mean = 0, recall = 0, fpr_measured = 0;
  // Their standard errors over the sets.
  double mse_se = 0, ce_se = 0, topk_exact_se = 0, false_positives_se = 0, recall_se = 0,
         fpr_se = 0;
  // false_positives_mean times sets: the events the rarer metrics rest on.
  double false_positive_events = 0;
  std::optional<FilterAgreement> filter;
};

class BloomFilter;

// The metrics of one set S from its logits z and probabilities p (V each). The positive set is
// {t : z_t >= positive_floor}: P(S) for evaluate() (floor = max z - ln 2), or a tuned threshold
// for models whose positives are read otherwise (the JL baseline). Given the Bloom filter of S,
// also the agreement with its positives.
struct SetMetrics {
  double mse, ce, topk_exact, false_positives, recall, fpr;
  // Against the filter F (zero without one): P(S) = F(S), their Jaccard, F's FPR, F(S) = S,
  // |S| / |F(S)|, and the false positives of F, of P(S) and of both.
  double filter_agreement, filter_jaccard, filter_fpr, oracle_agreement, oracle_jaccard;
  double filter_false_positives, net_false_positives, shared_false_positives;
};
SetMetrics measure_set(std::span<const uint32_t> S, const float* z, const float* p, size_t V,
                       double positive_floor, const BloomFilter* filter = nullptr);

// The logit floor of the net's positive set: P(S) = {t : p_t >= max p / 2} = {t : z_t >= max z -
// ln 2}.
double positive_floor(const float* z, size_t V);

// Sums per-set metrics in the order they are added; gives their means and standard errors.
class MetricsSum {
 public:
  void add(const SetMetrics& set);
  size_t sets() const { return sets_; }
  double false_positives() const { return sum_.false_positives; }
  // The filter fields only when `with_filter`.
  Metrics mean(bool with_filter) const;

 private:
  size_t sets_ = 0;
  SetMetrics sum_{}, square_{};
  double shared_times_filter_ = 0, shared_times_net_ = 0;  // for the ratios' standard errors
};

// The net's positive set P(S) = {t : z_t >= max z - ln 2} of every set of `sets`, by batched
// forward passes (256 sets at a time).
std::vector<Bitset> positive_sets(const Network& net, const TokenBatch& sets,
                                  const KernelSet& kernels = simd_kernels());

// Throws Error unless 1 <= k <= V, sets >= 1, batch >= 1, and the reference (if any) covers V.
// With max_sets > sets, draws sets first .. up to max_sets until min_false_positives are seen.
Metrics evaluate(const Network& net, const EvalConfig& config,
                 const std::shared_ptr<const HashFamily>& reference = nullptr,
                 const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
