// The training losses of SPEC section 2 over a batch, averaged over its sets, and their gradient
// with respect to the logits:
//   cross-entropy  -sum_t q_t log p_t                 dz = (p - q) / B
//   MSE (eps)      sum_t (p_t - q_t)^2                dz_u = p_u (g_u - sum_t g_t p_t) / B,
//                                                     g = 2 (p - q)
// with q uniform on each set. The gradient is what backward() (network.hpp) takes.
//
// Thread safety: reentrant; parallel inside (OpenMP), with a result independent of the thread
// count (the per-set losses are summed in set order).
#pragma once

#include <vector>

#include "bloomnet/kernels.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

// The batch's mean loss; dz becomes (B, V). act is the forward pass of batch.
double loss_gradient(LossKind loss, const TokenBatch& batch, const Activations& act,
                     std::vector<float>& dz, const KernelSet& kernels = simd_kernels());

// The cross-entropy of loss_gradient straight from the logits: act needs only hidden and z
// (forward_logits, network.hpp), the softmax is taken inside. The same loss and dz bits as
// forward() then loss_gradient(kCrossEntropy, ...) with the same kernels, without writing the
// probabilities or reading them back: what a training step needs.
double softmax_cross_entropy(const TokenBatch& batch, const Activations& act,
                             std::vector<float>& dz, const KernelSet& kernels = simd_kernels());

// softmax_cross_entropy with dz written over the logits: act.z becomes dz, the same bits. A
// training step's B x V buffer then goes through memory once fewer (one thread at V 16384, B 512,
// where it is 32 MB: 64.4 and 64.6 -> 63.4 and 63.6 ms a step, alternating binaries).
double softmax_cross_entropy_in_place(const TokenBatch& batch, Activations& act,
                                      const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
