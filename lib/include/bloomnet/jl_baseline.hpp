// The superposition baseline of SPEC section 6: random Gaussian embeddings E (d x V, entries
// N(0, 1/d)), scores y_t = <E_t, sum over s in S of E_s>, logits z = beta y. No ReLU and no
// filter: the members' embeddings are summed and read back by inner products, whose cross terms
// are noise of variance about k / d. As a network it is the linear one (Activation::kIdentity)
// with W_in row t = E_t, W_out row t = beta E_t and zero biases, so it runs on the same kernels.
//
// Two knobs, tuned on training sets (TaskSampler streams of purpose kTrainSet, never the
// held-out sets): beta for eps (MSE under the softmax), and the threshold theta of the positive
// set {t : y_t >= theta} for the positive-set metrics. theta shifts every logit alike, which the
// softmax ignores, so it is tuned separately: for the best mean Jaccard between that set and S.
//
// Thread safety: free functions; the tuning parallelizes inside (OpenMP) and its result does not
// depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bloomnet/kernels.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

// E_t from the counter stream (seed, kEmbedding, t). Throws Error for V = 0, d = 0, beta not
// finite and positive, or sizes beyond memory.
Network jl_network(size_t V, size_t d, uint64_t seed, float beta = 1.0f);

struct JlTuning {
  double beta = 1;
  double theta = 0.5;
};

// The range tune_jl searches for beta. Where the scores separate every set from the rest (small
// V, k = 1), eps falls without end as beta grows, and the tuned beta is the range's top.
inline constexpr double kJlBetaMin = 1e-2, kJlBetaMax = 1e5;

// Tunes beta (a log-spaced scan over [kJlBetaMin, kJlBetaMax], then golden section on log beta
// around the best point) and theta (a grid of step 0.01 over [0, 2]) on `sets` training sets of the
// task drawn with `seed`. `scores` is jl_network(V, d, seed, 1), whose logits are y.
JlTuning tune_jl(const Network& scores, const TaskConfig& task, size_t sets, uint64_t seed,
                 const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
