// The one-hidden-layer ReLU network of SPEC section 2, its batched forward pass
//   hidden = ReLU(W_in x + b_in),  z = W_out hidden + b_out,  p = softmax(z),
// (or, with Activation::kIdentity, the same network without the ReLU: SPEC section 6's linear
// comparison and the JL baseline),
// with x the k-hot indicator of a set S, so W_in x is a gather-sum of k token rows, and beside it
// the backward pass from dz = dL/dz to the gradient of every parameter.
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
#include <string>
#include <vector>
#include <xsimd/memory/xsimd_aligned_allocator.hpp>

#include "bloomnet/kernels.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

class Network {
 public:
  // All weights zero. Throws Error for V = 0, d = 0, or sizes the machine cannot hold.
  Network(size_t V, size_t d, Activation activation = Activation::kRelu);

  size_t V() const { return V_; }
  size_t d() const { return d_; }
  Activation activation() const { return activation_; }

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
  Activation activation_;
  size_t W_in_at_, b_in_at_, W_outT_at_, b_out_at_;
  std::vector<float, xsimd::aligned_allocator<float, 64>> params_;
};

// The forward pass's outputs for a batch of B sets.
struct Activations {
  size_t B = 0;
  std::vector<float> hidden;          // (B, d)
  std::vector<float> z;               // (B, V) logits
  std::vector<float> p;               // (B, V) probabilities
  std::vector<float> log_normalizer;  // (B) log of the softmax denominator: log p = z - it
};

// The backward pass's working arrays, kept between steps to avoid reallocating them.
struct BackwardScratch {
  std::vector<float> hidden_t;  // (d, B) hidden transposed
  std::vector<float> dhidden;   // (B, d) gradient at the hidden pre-activations
};

// Runs the network on every set of the batch, in parallel over sets and tokens (OpenMP); the
// result does not depend on the thread count. Throws Error for a token outside [0, V).
void forward(const Network& net, const TokenBatch& batch, Activations& out,
             const KernelSet& kernels = simd_kernels());
// forward() up to the logits: out.p and out.log_normalizer are left empty. For a training step,
// whose cross-entropy takes the softmax itself (softmax_cross_entropy, loss.hpp).
void forward_logits(const Network& net, const TokenBatch& batch, Activations& out,
                    const KernelSet& kernels = simd_kernels());

// What backward() may assume of the gradient buffer's W_in: nothing (it zeroes all V x d first),
// or that it is zero (a caller that clears the rows it was handed after each use, as Trainer
// does, saves zeroing the rows no batch touched: most of them when V is large).
enum class InputGradientBuffer { kAnyContents, kZero };

// The gradient of a loss L with respect to every parameter, given the forward pass `act` of `batch`
// and dz = dL/dz (B, V). Writes grad, a network of the same shape used as a gradient buffer
// (its W_in is zero outside the rows of the batch's tokens). The first layer's gradient is a
// scatter-add into the members' rows; the output layer's two gradients are GEMMs. Parallel
// (OpenMP) with every element owned by one thread in a fixed order: the result does not depend on
// the thread count.
void backward(const Network& net, const TokenBatch& batch, const Activations& act,
              std::span<const float> dz, Network& grad, BackwardScratch& scratch,
              const KernelSet& kernels = simd_kernels(),
              InputGradientBuffer buffer = InputGradientBuffer::kAnyContents);

// The pieces forward() and backward() are made of, each an OpenMP work-sharing loop over its own
// fixed partition (sets in chunks of 16 rows, tokens in chunks of 256, hidden columns in one
// chunk per thread, multiples of 16; the hidden gradient by rows of the batch, one chunk per
// thread, where a thread's columns would be fewer than the widest register tile): called inside a
// parallel region they split their work among its threads, outside one they run on the calling
// thread. Every output element is computed by one thread in a fixed order, so the partition changes
// only speed, never a bit. forward() and backward() run them in one parallel region; the benchmarks
// time them alone. Shapes as in NetworkKernels (kernels.hpp).
namespace partition {

void hidden_forward(const KernelSet& kernels, Activation activation, const float* W_in,
                    const float* b_in, const TokenBatch& batch, size_t d, float* hidden);
void output_forward(const KernelSet& kernels, const float* hidden, const float* W_outT,
                    const float* b_out, size_t B, size_t d, size_t V, float* z);
void softmax(const KernelSet& kernels, const float* z, size_t B, size_t V, float* p,
             float* log_normalizer);
// hidden_t: (d, B) = hidden (B, d) transposed.
void transpose(const float* hidden, size_t B, size_t d, float* hidden_t);
void output_weight_gradient(const KernelSet& kernels, const float* hidden_t, const float* dz,
                            size_t B, size_t d, size_t V, float* dW_outT, float* db_out);
void hidden_gradient(const KernelSet& kernels, Activation activation, const float* dz,
                     const float* W_outT, const float* hidden, size_t B, size_t d, size_t V,
                     float* dhidden);
// Zeroes dW_in (V, d) unless it is kZero already, and db_in (d), then scatter-adds dhidden into
// the members' rows.
void input_gradient(const KernelSet& kernels, const float* dhidden, const TokenBatch& batch,
                    size_t V, size_t d, InputGradientBuffer buffer, float* dW_in, float* db_in);

}  // namespace partition

}  // namespace bloomnet
