// Held-out metrics of a network on the task (SPEC section 5, last bullets), averaged over sets S
// drawn by a TaskSampler with the evaluation seed:
//   mse          eps = sum_t (p_t - q_t)^2, q uniform on S
//   ce           -sum_t q_t log p_t
//   topk_exact   share of sets whose |S| largest logits are exactly S (min over S > max outside S)
//   false_positives_mean  tokens outside S with z_t >= min over S of z
//   recall       share of S inside the net's positive set P(S) = {t : p_t >= max_u p_u / 2}
//   fpr_measured |P(S) \ S| / (V - |S|)
// and, given a reference hash family, the net against the Bloom filter of S over that family:
//   filter_agreement  share of sets where P(S) equals the filter's positives
//   filter_jaccard    mean |P(S) n F(S)| / |P(S) u F(S)| (F(S): the filter's positives)
//   filter_fpr        the filter's own |F(S) \ S| / (V - |S|)
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

namespace bloomnet {

struct EvalConfig {
  size_t k = 0;
  size_t k_max = 0;   // sets of k..k_max tokens when above k (TaskConfig)
  double zipf = 0.0;  // Zipf-distributed tokens when > 0 (TaskConfig)
  size_t sets = 4096;
  uint64_t seed = 1;
  size_t batch = 256;  // sets per forward pass
  // When set, the positive set is {t : z_t >= positive_logit} instead of P(S) (the JL baseline's
  // tuned threshold, times its beta).
  std::optional<double> positive_logit = std::nullopt;
  // Called after each batch with (sets done, sets in all), from the calling thread.
  std::function<void(size_t, size_t)> progress = nullptr;
};

struct Metrics {
  size_t sets = 0;
  double mse = 0, ce = 0, topk_exact = 0, false_positives_mean = 0, recall = 0, fpr_measured = 0;
  std::optional<double> filter_agreement, filter_jaccard, filter_fpr;
};

class BloomFilter;

// The metrics of one set S from its logits z and probabilities p (V each). The positive set is
// {t : z_t >= positive_floor}: P(S) for evaluate() (floor = max z - ln 2), or a tuned threshold
// for models whose positives are read otherwise (the JL baseline). Given the Bloom filter of S,
// also the agreement with its positives.
struct SetMetrics {
  double mse, ce, topk_exact, false_positives, recall, fpr;
  double filter_agreement, filter_jaccard, filter_fpr;
};
SetMetrics measure_set(std::span<const uint32_t> S, const float* z, const float* p, size_t V,
                       double positive_floor, const BloomFilter* filter = nullptr);

// The logit floor of the net's positive set: P(S) = {t : p_t >= max p / 2} = {t : z_t >= max z -
// ln 2}.
double positive_floor(const float* z, size_t V);

// Sums per-set metrics in the order they are added and averages them.
class MetricsSum {
 public:
  void add(const SetMetrics& set);
  // The means; the filter fields only when `with_filter`.
  Metrics mean(bool with_filter) const;

 private:
  size_t sets_ = 0;
  SetMetrics sum_{};
};

// The net's positive set P(S) = {t : z_t >= max z - ln 2} of every set of `sets`, by batched
// forward passes (256 sets at a time).
std::vector<Bitset> positive_sets(const Network& net, const TokenBatch& sets,
                                  const KernelSet& kernels = simd_kernels());

// Throws Error unless 1 <= k <= V, sets >= 1, batch >= 1, and the reference (if any) covers V.
Metrics evaluate(const Network& net, const EvalConfig& config,
                 const std::shared_ptr<const HashFamily>& reference = nullptr,
                 const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
