// Held-out metrics of a network on the task (SPEC section 5, last bullets), averaged over sets S
// drawn by a TaskSampler with the evaluation seed:
//   mse          eps = sum_t (p_t - q_t)^2, q uniform on S
//   ce           -sum_t q_t log p_t
//   topk_exact   share of sets whose |S| largest logits are exactly S (min over S > max outside S)
//   false_positives_mean  tokens outside S with z_t >= min over S of z
//   recall       share of S inside the net's positive set P(S) = {t : p_t >= max_u p_u / 2}
//   fpr_measured |P(S) \ S| / (V - |S|)
// and, given a reference hash family, filter_agreement: the share of sets where P(S) equals the
// positives of the Bloom filter of S over that family.
//
// Thread safety: evaluate() is reentrant; it parallelizes internally (OpenMP) and its result does
// not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

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
  // Called after each batch with (sets done, sets in all), from the calling thread.
  std::function<void(size_t, size_t)> progress = nullptr;
};

struct Metrics {
  size_t sets = 0;
  double mse = 0, ce = 0, topk_exact = 0, false_positives_mean = 0, recall = 0, fpr_measured = 0;
  std::optional<double> filter_agreement;
};

// Throws Error unless 1 <= k <= V, sets >= 1, batch >= 1, and the reference (if any) covers V.
Metrics evaluate(const Network& net, const EvalConfig& config,
                 std::shared_ptr<const HashFamily> reference = nullptr,
                 const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
