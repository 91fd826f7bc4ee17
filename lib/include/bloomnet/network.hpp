// The one-hidden-layer ReLU network of SPEC section 2 and its batched forward pass:
//   hidden = ReLU(W_in x + b_in),  z = W_out hidden + b_out,  p = softmax(z),
// with x the k-hot indicator of a set S, so W_in x is a gather-sum of k token rows.
//
// Letters: V = vocabulary, d = hidden width, B = sets in a batch.
// Layout (one 64-byte aligned buffer, each tensor starting on a 64-byte boundary):
//   W_in   (V, d)  row t = token t's input weights (contiguous: the forward gathers rows);
//   b_in   (d);
//   W_outT (d, V)  W_out transposed, so the output GEMM streams along tokens;
//   b_out  (V).
// Files store W_out as (V, d) (SPEC section 7); weights_io transposes.
//
// Thread safety: const members may be called concurrently; forward() on the same Network from
// several threads is safe with distinct Activations.
#pragma once

#include <cstddef>
#include <span>
#include <vector>
#include <xsimd/memory/xsimd_aligned_allocator.hpp>

#include "bloomnet/kernels.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

class Network {
 public:
  // All weights zero. Throws Error for V = 0, d = 0, or sizes the machine cannot hold.
  Network(size_t V, size_t d);

  size_t V() const { return V_; }
  size_t d() const { return d_; }

  std::span<float> W_in() { return {params_.data() + W_in_at_, V_ * d_}; }
  std::span<float> b_in() { return {params_.data() + b_in_at_, d_}; }
  std::span<float> W_outT() { return {params_.data() + W_outT_at_, d_ * V_}; }
  std::span<float> b_out() { return {params_.data() + b_out_at_, V_}; }
  std::span<const float> W_in() const { return {params_.data() + W_in_at_, V_ * d_}; }
  std::span<const float> b_in() const { return {params_.data() + b_in_at_, d_}; }
  std::span<const float> W_outT() const { return {params_.data() + W_outT_at_, d_ * V_}; }
  std::span<const float> b_out() const { return {params_.data() + b_out_at_, V_}; }

  // W_out[t, j] in the SPEC's orientation.
  float W_out(size_t t, size_t j) const { return params_[W_outT_at_ + j * V_ + t]; }
  void set_W_out(size_t t, size_t j, float value) { params_[W_outT_at_ + j * V_ + t] = value; }

  // Every parameter in one buffer (padding between tensors stays zero): what optimizers walk.
  std::span<float> params() { return params_; }
  std::span<const float> params() const { return params_; }

  bool operator==(const Network& other) const = default;

 private:
  size_t V_, d_;
  size_t W_in_at_, b_in_at_, W_outT_at_, b_out_at_;
  std::vector<float, xsimd::aligned_allocator<float, 64>> params_;
};

// The forward pass's outputs for a batch of B sets.
struct Activations {
  size_t B = 0;
  std::vector<float> hidden;  // (B, d)
  std::vector<float> z;       // (B, V) logits
  std::vector<float> p;       // (B, V) probabilities
};

// Runs the network on every set of the batch, in parallel over sets and tokens (OpenMP); the
// result does not depend on the thread count. Throws Error for a token outside [0, V).
void forward(const Network& net, const TokenBatch& batch, Activations& out,
             const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
