// The SIMD kernels of the library as tables of function pointers, one table per concern (the
// network's layers, the loss and the optimizers, the filters, the machine probe) and one set of
// tables per instruction set, all computing the same thing. The SIMD sets come from one generic
// xsimd implementation (src/kernels/simd_kernels.hpp) built once per architecture of
// BLOOMNET_KERNEL_ARCHS (the top-level CMakeLists.txt, the only list of architectures: the
// per-architecture sources and the dispatch list are generated from it);
// src/kernels/dispatch.cpp picks the best the CPU runs. The scalar set
// (src/kernels/scalar_kernels.cpp) is the plain reference every SIMD kernel is tested against
// (proptests/kernels_props.cpp and the props of each concern).
//
// Letters: B = sets in the batch, d = hidden width, V = vocabulary size.
// Kernels are single-threaded; callers split rows or tokens among threads.
//
// Thread safety: the tables are immutable; kernels share no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"

namespace bloomnet {

// The hidden layer's nonlinearity: ReLU (SPEC section 2), or none, for the linear network SPEC
// section 6 compares against and for the JL baseline.
enum class Activation { kRelu, kIdentity };
template <>
struct EnumNames<Activation> {
  static constexpr const char* kWhat = "activation";
  static constexpr std::pair<Activation, const char*> kNames[] = {
      {Activation::kRelu, "relu"}, {Activation::kIdentity, "linear"}};
};

// The loss a gradient is taken of (SPEC section 2).
enum class LossKind { kCrossEntropy, kMse };
template <>
struct EnumNames<LossKind> {
  static constexpr const char* kWhat = "loss";
  static constexpr std::pair<LossKind, const char*> kNames[] = {{LossKind::kCrossEntropy, "ce"},
                                                                {LossKind::kMse, "mse"}};
};

// One Adam or AdamW step's coefficients, computed in double by the optimizer and rounded once:
//   m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,
//   param = param (1 - decay) - step_size m / (sqrt(v) inv_sqrt_correction2 + eps)
// with step_size = lr / (1 - beta1^s), inv_sqrt_correction2 = 1 / sqrt(1 - beta2^s) (PyTorch's
// arrangement) and decay = lr weight_decay for AdamW, 0 for Adam.
struct AdamStep {
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float step_size, inv_sqrt_correction2, eps, decay;
};

// The split-block Bloom filter's layout (SPEC section 3, split_block_filter.hpp): 256-bit blocks
// of 8 x 32-bit lanes. A key k hashes to h = block_hash(k, seed); its block is (h >> 32) * blocks
// >> 32 (a multiply-shift range reduction, no modulo) and lane i gets bit
// (uint32(h) * kBlockSalts[i]) >> 27. The salts are odd, so each lane's bit is a distinct
// multiply-shift hash of h's low half.
inline constexpr uint32_t kBlockSalts[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                                            0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

// One multiply and one xor-shift: the product's high half depends on every bit of the key and
// feeds the block choice directly and the lanes through the xor (a full 64-bit finalizer costs
// twice the instructions of the whole lookup). block_product is the multiply: its high half is
// also block_hash's (the xor-shift changes only the low half), all the block choice reads.
constexpr uint64_t block_product(uint64_t key, uint64_t seed) {
  return (key ^ seed) * 0x9e3779b97f4a7c15ULL;
}
constexpr uint64_t block_hash(uint64_t key, uint64_t seed) {
  const uint64_t h = block_product(key, seed);
  return h ^ (h >> 32);
}

// The network's layers: forward() and backward() (network.hpp) split their rows, tokens or
// hidden columns among threads and call these.
struct NetworkKernels {
  // hidden: (B, d) = ReLU(b_in + sum of W_in[t, :] over the tokens t of set b) (no ReLU for
  // kIdentity), summed left to right in set order, so every instruction set gives the same bits.
  // W_in: (V, d) token-contiguous; b_in: (d); sets in CSR form: set b is tokens[offsets[b],
  // offsets[b + 1]).
  void (*hidden_forward)(Activation activation, const float* W_in, const float* b_in,
                         const uint32_t* tokens, const uint32_t* offsets, size_t B, size_t d,
                         float* hidden);

  // The first layer's gradient, a scatter-add into the set members' rows only: for b = 0..B-1 in
  // order, dW_in[t, j] += dhidden[b, j] for t in set b, and db_in[j] += dhidden[b, j], for the
  // columns j in [j0, j1). Plain adds in the same order everywhere: identical bits.
  void (*input_gradient)(const float* dhidden, const uint32_t* tokens, const uint32_t* offsets,
                         size_t B, size_t d, size_t j0, size_t j1, float* dW_in, float* db_in);

  // z[b, t] = fma-chain b_out[t] + hidden[b, 0] W_outT[0, t] + ... + hidden[b, d-1] W_outT[d-1, t]
  // for t in [t0, t1): one fused multiply-add per j, in increasing j (unfused where the
  // instruction set has no FMA).
  // hidden: (B, d); W_outT: (d, V), W_out transposed; b_out: (V); z: (B, V), row-major.
  void (*output_forward)(const float* hidden, const float* W_outT, const float* b_out, size_t B,
                         size_t d, size_t V, size_t t0, size_t t1, float* z);

  // The output layer's weight gradients for the tokens t in [t0, t1):
  //   dW_outT[j, t] = fma-chain over b = 0..B-1 of hidden_t[j, b] dz[b, t],
  //   db_out[t] = dz[0, t] + ... + dz[B-1, t].
  // hidden_t: (d, B), the hidden activations transposed; dz: (B, V); dW_outT: (d, V).
  void (*output_weight_gradient)(const float* hidden_t, const float* dz, size_t B, size_t d,
                                 size_t V, size_t t0, size_t t1, float* dW_outT, float* db_out);

  // The gradient reaching the hidden pre-activations, for the columns j in [j0, j1):
  //   dhidden[b, j] = hidden[b, j] > 0 ? fma-chain over t = 0..V-1 of dz[b, t] W_outT[j, t] : 0
  // (the chain everywhere for kIdentity). dz: (B, V); W_outT: (d, V); hidden, dhidden: (B, d).
  void (*hidden_gradient)(Activation activation, const float* dz, const float* W_outT,
                          const float* hidden, size_t B, size_t d, size_t V, size_t j0, size_t j1,
                          float* dhidden);

  // p[b, :] = softmax(z[b, :]), stable: exp(z - max z) / sum; log_normalizer[b] = max z + log sum
  // (so log p_t = z_t - log_normalizer[b] without underflow). z, p: (B, V). Agrees with the
  // scalar twin to a few ulp (exp and the summation order differ).
  void (*softmax)(const float* z, size_t B, size_t V, float* p, float* log_normalizer);
};

// The losses and the optimizers: loss_gradient() (loss.hpp) and Optimizer::step()
// (optimizer.hpp).
struct TrainingKernels {
  // The loss of each set and its gradient with respect to the logits, times scale (1/B for a
  // batch mean), with q uniform on set b (SPEC section 2):
  //   cross-entropy: loss[b] = -mean over t in S of (z_t - log_normalizer[b]); dz = p - q.
  //   MSE: loss[b] = sum_t (p_t - q_t)^2; with g = 2 (p - q), dz_u = p_u (g_u - sum_t g_t p_t).
  // z, p, dz: (B, V), dz distinct from p.
  void (*loss_gradient)(LossKind loss, const float* z, const float* p, const float* log_normalizer,
                        const uint32_t* tokens, const uint32_t* offsets, size_t B, size_t V,
                        float scale, float* dz, double* loss_out);

  // softmax (NetworkKernels) followed by loss_gradient's cross-entropy, with the probabilities
  // never stored: the same loss and dz bits as the two kernels of the same set, one pass fewer
  // over each row. members: scratch of one float per token of the batch (tokens[offsets[0],
  // offsets[B])). z, dz: (B, V); dz may be z (each row's logits are read before its gradient
  // is written).
  void (*softmax_cross_entropy)(const float* z, const uint32_t* tokens, const uint32_t* offsets,
                                size_t B, size_t V, float scale, float* dz, float* members,
                                double* loss_out);

  // One Adam/AdamW step over n parameters (see AdamStep), elementwise without fused operations,
  // so every instruction set gives the same bits.
  void (*adam_update)(const AdamStep& step, const float* grad, size_t n, float* param, float* m,
                      float* v);

  // One step of SGD with momentum (PyTorch's): velocity = momentum velocity + g;
  // param -= lr velocity. Elementwise, unfused: identical bits everywhere.
  void (*sgd_update)(float lr, float momentum, const float* grad, size_t n, float* param,
                     float* velocity);
};

// The filters: SplitBlockFilter (split_block_filter.hpp) and CompiledFilter
// (compiled_filter.hpp).
struct FilterKernels {
  // The split-block filter over `blocks` blocks (8 uint32 each; 32-byte aligned to insert, 4 to
  // test, as a filter mapped from a file may be): insert those of n keys whose block lies in
  // [first_block, end_block) (threads inserting into disjoint ranges never share a block); test
  // one key; test n keys, out[i] = 1 when key i may be present. For a filter past about a
  // core's L2 (2 MiB) the batched insert and test request each key's block 128 keys before
  // handling it, so memory requests stay in flight continuously.
  void (*block_insert)(uint32_t* data, size_t blocks, uint64_t seed, const uint64_t* keys, size_t n,
                       size_t first_block, size_t end_block);
  bool (*block_contains)(const uint32_t* data, size_t blocks, uint64_t seed, uint64_t key);
  void (*block_contains_batch)(const uint32_t* data, size_t blocks, uint64_t seed,
                               const uint64_t* keys, size_t n, uint8_t* out);

  // The compiled filter's whole-vocabulary query (compiled_filter.hpp), two ways:
  // mask_positives: token t's mask is masks[t words, (t + 1) words); bit t of out (V bits) is set
  //   when mask_t & unset is zero.
  // union_of_rows: out[w] = the OR of rows[r stride + w] over the listed r, for w in [w0, w1).
  void (*mask_positives)(const uint64_t* masks, size_t V, size_t words, const uint64_t* unset,
                         uint64_t* out);
  void (*union_of_rows)(const uint64_t* rows, size_t stride, const uint32_t* which, size_t count,
                        size_t w0, size_t w1, uint64_t* out);
};

// What the machine can do with this instruction set, for the benchmarks.
struct ProbeKernels {
  // The machine's multiply-add peak as this instruction set reaches it: `iterations` rounds of
  // independent multiply-add chains held in registers (enough of them to cover the latency).
  // Returns the flops done (2 per lane per multiply-add); the result goes to *sink so the loop
  // cannot be optimized away. For benchmarks: every GFLOP/s figure is printed as a share of it.
  double (*multiply_add_peak)(size_t iterations, float* sink);
};

struct KernelSet {
  const char* name;  // the instruction set ("avx512bw", "fma3+avx2", "sse2", "scalar")
  // Whether multiply-adds round once, as the scalar references do (std::fma): then the GEMMs
  // give the references' bits; without FMA (sse2) the product is rounded separately.
  bool fused_multiply_add;
  NetworkKernels network;
  TrainingKernels training;
  FilterKernels filter;
  ProbeKernels probe;
};

// The best SIMD kernels this CPU runs: the runtime dispatch point.
const KernelSet& simd_kernels();
// The scalar references.
const KernelSet& scalar_kernels();
// Every SIMD kernel set built into the library that this CPU runs, best first.
std::vector<const KernelSet*> runnable_simd_kernels();

}  // namespace bloomnet
