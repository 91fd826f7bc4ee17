// The scalar twins of simd_kernels.hpp: the same arithmetic in the same order, one element at a
// time. proptests/kernels_props.cpp compares every SIMD set against these.
#include <algorithm>
#include <cmath>

#include "bloomnet/kernels.hpp"

namespace bloomnet {
namespace {

void hidden_forward(Activation activation, const float* W_in, const float* b_in,
                    const uint32_t* tokens, const uint32_t* offsets, size_t B, size_t d,
                    float* hidden) {
  for (size_t b = 0; b < B; ++b) {
    for (size_t j = 0; j < d; ++j) {
      float acc = b_in[j];
      for (uint32_t i = offsets[b]; i < offsets[b + 1]; ++i) {
        acc += W_in[static_cast<size_t>(tokens[i]) * d + j];
      }
      hidden[b * d + j] = activation == Activation::kIdentity || acc > 0.0f ? acc : 0.0f;
    }
  }
}

void input_gradient(const float* dhidden, const uint32_t* tokens, const uint32_t* offsets, size_t B,
                    size_t d, size_t j0, size_t j1, float* dW_in, float* db_in) {
  for (size_t b = 0; b < B; ++b) {
    for (uint32_t i = offsets[b]; i < offsets[b + 1]; ++i) {
      float* row = dW_in + static_cast<size_t>(tokens[i]) * d;
      for (size_t j = j0; j < j1; ++j) row[j] += dhidden[b * d + j];
    }
    for (size_t j = j0; j < j1; ++j) db_in[j] += dhidden[b * d + j];
  }
}

void output_forward(const float* hidden, const float* W_outT, const float* b_out, size_t B,
                    size_t d, size_t V, size_t t0, size_t t1, float* z) {
  for (size_t b = 0; b < B; ++b) {
    for (size_t t = t0; t < t1; ++t) {
      float acc = b_out[t];
      for (size_t j = 0; j < d; ++j) acc = std::fma(hidden[b * d + j], W_outT[j * V + t], acc);
      z[b * V + t] = acc;
    }
  }
}

void output_weight_gradient(const float* hidden_t, const float* dz, size_t B, size_t d, size_t V,
                            size_t t0, size_t t1, float* dW_outT, float* db_out) {
  for (size_t t = t0; t < t1; ++t) {
    for (size_t j = 0; j < d; ++j) {
      float acc = 0.0f;
      for (size_t b = 0; b < B; ++b) acc = std::fma(hidden_t[j * B + b], dz[b * V + t], acc);
      dW_outT[j * V + t] = acc;
    }
    float sum = dz[t];
    for (size_t b = 1; b < B; ++b) sum += dz[b * V + t];
    db_out[t] = sum;
  }
}

void hidden_gradient(Activation activation, const float* dz, const float* W_outT,
                     const float* hidden, size_t B, size_t d, size_t V, size_t j0, size_t j1,
                     float* dhidden) {
  for (size_t b = 0; b < B; ++b) {
    for (size_t j = j0; j < j1; ++j) {
      float acc = 0.0f;
      for (size_t t = 0; t < V; ++t) acc = std::fma(dz[b * V + t], W_outT[j * V + t], acc);
      const bool passes = activation == Activation::kIdentity || hidden[b * d + j] > 0.0f;
      dhidden[b * d + j] = passes ? acc : 0.0f;
    }
  }
}

// The first two passes of a row's softmax: out[t] = exp(row[t] - max row); returns the sum.
float exponentials(const float* row, size_t V, float zmax, float* out) {
  float sum = 0.0f;
  for (size_t t = 0; t < V; ++t) {
    out[t] = std::exp(row[t] - zmax);
    sum += out[t];
  }
  return sum;
}

void softmax(const float* z, size_t B, size_t V, float* p, float* log_normalizer) {
  for (size_t b = 0; b < B; ++b) {
    const float* row = z + b * V;
    float* out = p + b * V;
    const float zmax = *std::max_element(row, row + V);
    const float sum = exponentials(row, V, zmax, out);
    for (size_t t = 0; t < V; ++t) out[t] *= 1.0f / sum;
    if (log_normalizer != nullptr) log_normalizer[b] = zmax + std::log(sum);
  }
}

void softmax_cross_entropy(const float* z, const uint32_t* tokens, const uint32_t* offsets,
                           size_t B, size_t V, float scale, float* dz, float* members,
                           double* loss_out) {
  for (size_t b = 0; b < B; ++b) {
    const float* row = z + b * V;
    float* grow = dz + b * V;
    const uint32_t* S = tokens + offsets[b];
    float* member = members + offsets[b];
    const size_t k = offsets[b + 1] - offsets[b];
    const float q = 1.0f / static_cast<float>(k);
    // The members' logits first: dz may be z, and the exponentials overwrite them.
    for (size_t i = 0; i < k; ++i) member[i] = row[S[i]];
    const float zmax = *std::max_element(row, row + V);
    const float sum = exponentials(row, V, zmax, grow);
    const float log_normalizer = zmax + std::log(sum);
    double ce = 0.0;
    for (size_t i = 0; i < k; ++i) ce -= static_cast<double>(member[i]) - log_normalizer;
    loss_out[b] = ce / static_cast<double>(k);
    for (size_t i = 0; i < k; ++i) member[i] = (grow[S[i]] * (1.0f / sum) - q) * scale;
    for (size_t t = 0; t < V; ++t) grow[t] = grow[t] * (1.0f / sum) * scale;
    for (size_t i = 0; i < k; ++i) grow[S[i]] = member[i];
  }
}

void loss_gradient(LossKind loss, const float* z, const float* p, const float* log_normalizer,
                   const uint32_t* tokens, const uint32_t* offsets, size_t B, size_t V, float scale,
                   float* dz, double* loss_out) {
  for (size_t b = 0; b < B; ++b) {
    const uint32_t* S = tokens + offsets[b];
    const size_t k = offsets[b + 1] - offsets[b];
    const float q = 1.0f / static_cast<float>(k);
    const float* prow = p + b * V;
    float* grow = dz + b * V;
    if (loss == LossKind::kCrossEntropy) {
      double ce = 0.0;
      for (size_t i = 0; i < k; ++i) ce -= static_cast<double>(z[b * V + S[i]]) - log_normalizer[b];
      loss_out[b] = ce / static_cast<double>(k);
      for (size_t t = 0; t < V; ++t) grow[t] = prow[t] * scale;
      for (size_t i = 0; i < k; ++i) grow[S[i]] = (prow[S[i]] - q) * scale;
    } else {
      // sum_t g_t p_t = 2 (sum_t p_t^2 - q sum_{t in S} p_t).
      float squares = 0.0f;
      for (size_t t = 0; t < V; ++t) squares += prow[t] * prow[t];
      float members = 0.0f;
      for (size_t i = 0; i < k; ++i) members += prow[S[i]];
      const float gp = 2.0f * (squares - q * members);
      loss_out[b] = static_cast<double>(squares) - 2.0 * q * members + q;
      for (size_t t = 0; t < V; ++t) grow[t] = prow[t] * (2.0f * prow[t] - gp) * scale;
      for (size_t i = 0; i < k; ++i) {
        const float pt = prow[S[i]];
        grow[S[i]] = pt * (2.0f * (pt - q) - gp) * scale;
      }
    }
  }
}

void adam_update(const AdamStep& s, const float* grad, size_t n, float* param, float* m, float* v) {
  for (size_t i = 0; i < n; ++i) {
    m[i] = s.beta1 * m[i] + s.one_minus_beta1 * grad[i];
    v[i] = s.beta2 * v[i] + s.one_minus_beta2 * (grad[i] * grad[i]);
    const float denominator = std::sqrt(v[i]) * s.inv_sqrt_correction2 + s.eps;
    param[i] = param[i] * (1.0f - s.decay) - s.step_size * m[i] / denominator;
  }
}

void sgd_update(float lr, float momentum, const float* grad, size_t n, float* param,
                float* velocity) {
  for (size_t i = 0; i < n; ++i) {
    velocity[i] = momentum * velocity[i] + grad[i];
    param[i] = param[i] - lr * velocity[i];
  }
}

double multiply_add_peak(size_t iterations, float* sink) {
  constexpr size_t kChains = 12;
  float acc[kChains];
  for (size_t c = 0; c < kChains; ++c) acc[c] = static_cast<float>(c);
  for (size_t i = 0; i < iterations; ++i) {
    for (size_t c = 0; c < kChains; ++c) acc[c] = std::fma(acc[c], 0.999999f, 1e-7f);
  }
  float total = 0.0f;
  for (size_t c = 0; c < kChains; ++c) total += acc[c];
  *sink = total;
  return 2.0 * static_cast<double>(iterations * kChains);
}

// The split-block filter, a lane at a time.
const uint32_t* block_of(const uint32_t* data, size_t blocks, uint64_t h) {
  return data + 8 * ((h >> 32) * blocks >> 32);
}

void block_insert(uint32_t* data, size_t blocks, uint64_t seed, const uint64_t* keys, size_t n,
                  size_t first_block, size_t end_block) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = block_hash(keys[i], seed);
    const size_t index = (h >> 32) * blocks >> 32;
    if (index < first_block || index >= end_block) continue;
    uint32_t* block = data + 8 * index;
    for (int lane = 0; lane < 8; ++lane) {
      block[lane] |= uint32_t{1} << ((static_cast<uint32_t>(h) * kBlockSalts[lane]) >> 27);
    }
  }
}

bool block_contains(const uint32_t* data, size_t blocks, uint64_t seed, uint64_t key) {
  const uint64_t h = block_hash(key, seed);
  const uint32_t* block = block_of(data, blocks, h);
  for (int lane = 0; lane < 8; ++lane) {
    const uint32_t bit = uint32_t{1} << ((static_cast<uint32_t>(h) * kBlockSalts[lane]) >> 27);
    if ((block[lane] & bit) == 0) return false;
  }
  return true;
}

void block_contains_batch(const uint32_t* data, size_t blocks, uint64_t seed, const uint64_t* keys,
                          size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = block_contains(data, blocks, seed, keys[i]);
}

void mask_positives(const uint64_t* masks, size_t V, size_t words, const uint64_t* unset,
                    uint64_t* out) {
  std::fill(out, out + (V + 63) / 64, 0);
  for (size_t t = 0; t < V; ++t) {
    uint64_t outside = 0;
    for (size_t w = 0; w < words; ++w) outside |= masks[t * words + w] & unset[w];
    if (outside == 0) out[t / 64] |= uint64_t{1} << (t % 64);
  }
}

void union_of_rows(const uint64_t* rows, size_t stride, const uint32_t* which, size_t count,
                   size_t w0, size_t w1, uint64_t* out) {
  std::fill(out + w0, out + w1, 0);
  for (size_t i = 0; i < count; ++i) {
    for (size_t w = w0; w < w1; ++w) out[w] |= rows[which[i] * stride + w];
  }
}

}  // namespace

const KernelSet& scalar_kernels() {
  static const KernelSet set{.name = "scalar",
                             .fused_multiply_add = true,
                             .network = {.hidden_forward = &hidden_forward,
                                         .input_gradient = &input_gradient,
                                         .output_forward = &output_forward,
                                         .output_weight_gradient = &output_weight_gradient,
                                         .hidden_gradient = &hidden_gradient,
                                         .softmax = &softmax},
                             .training = {.loss_gradient = &loss_gradient,
                                          .softmax_cross_entropy = &softmax_cross_entropy,
                                          .adam_update = &adam_update,
                                          .sgd_update = &sgd_update},
                             .filter = {.block_insert = &block_insert,
                                        .block_contains = &block_contains,
                                        .block_contains_batch = &block_contains_batch,
                                        .mask_positives = &mask_positives,
                                        .union_of_rows = &union_of_rows},
                             .probe = {.multiply_add_peak = &multiply_add_peak}};
  return set;
}

}  // namespace bloomnet
