// The scalar twins of simd_kernels.hpp: the same arithmetic in the same order, one element at a
// time. proptests/kernels_props.cpp compares every SIMD set against these.
#include <algorithm>
#include <cmath>

#include "bloomnet/kernels.hpp"

namespace bloomnet {
namespace {

void hidden_forward(const float* W_in, const float* b_in, const uint32_t* tokens,
                    const uint32_t* offsets, size_t B, size_t d, float* hidden) {
  for (size_t b = 0; b < B; ++b) {
    for (size_t j = 0; j < d; ++j) {
      float acc = b_in[j];
      for (uint32_t i = offsets[b]; i < offsets[b + 1]; ++i) {
        acc += W_in[static_cast<size_t>(tokens[i]) * d + j];
      }
      hidden[b * d + j] = acc > 0.0f ? acc : 0.0f;
    }
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

void softmax(const float* z, size_t B, size_t V, float* p) {
  for (size_t b = 0; b < B; ++b) {
    const float* row = z + b * V;
    float* out = p + b * V;
    const float zmax = *std::max_element(row, row + V);
    float sum = 0.0f;
    for (size_t t = 0; t < V; ++t) {
      out[t] = std::exp(row[t] - zmax);
      sum += out[t];
    }
    for (size_t t = 0; t < V; ++t) out[t] *= 1.0f / sum;
  }
}

}  // namespace

const KernelSet& scalar_kernels() {
  static const KernelSet set{"scalar", &hidden_forward, &output_forward, &softmax};
  return set;
}

}  // namespace bloomnet
