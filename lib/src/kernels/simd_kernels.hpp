// The SIMD kernels, written once over the xsimd architecture. Included only by the arch_*.cpp
// files, each compiled with its architecture's flags. An inline function or template emitted in
// two files is kept once by the linker, so one built with AVX-512 flags could end up serving
// generic code: hence everything here sits in an anonymous namespace, and the kernels use no
// standard-library template whose arguments do not name the architecture (no std::max,
// std::max_element, std::array<float, N>). Scalar twins: scalar_kernels.cpp.
// Tests: proptests/kernels_props.cpp.
#pragma once

#include <array>
#include <cmath>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernel_set_of.hpp"

namespace bloomnet::kernels {
namespace {

// Register tile of the output GEMM: rows of hidden x vectors of tokens, sized so accumulators,
// one vector per token column and one broadcast fit the register file (32 vector registers on
// AVX-512, 16 below).
template <class Arch>
struct OutputTile {
  static constexpr bool kWide = std::is_base_of_v<xsimd::avx512f, Arch>;
  static constexpr size_t kRows = kWide ? 6 : 4;
  static constexpr size_t kCols = kWide ? 4 : 2;
};

// a * b + c rounded once on the instruction sets that can (xsimd 8.1 has no fused kernel for
// AVX-512 and would multiply, then add); sse2 has no FMA and rounds twice, in its vector and its
// scalar tails alike.
template <class Arch>
constexpr bool kFusedMultiplyAdd =
    std::is_base_of_v<xsimd::avx512f, Arch> || std::is_base_of_v<xsimd::fma3<xsimd::avx2>, Arch>;

template <class Arch>
xsimd::batch<float, Arch> multiply_add(xsimd::batch<float, Arch> a, xsimd::batch<float, Arch> b,
                                       xsimd::batch<float, Arch> c) {
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    return _mm512_fmadd_ps(a, b, c);
  } else if constexpr (kFusedMultiplyAdd<Arch>) {
    return _mm256_fmadd_ps(a, b, c);
  } else {
    return a * b + c;
  }
}

template <class Arch>
float multiply_add(float a, float b, float c) {
  if constexpr (kFusedMultiplyAdd<Arch>) {
    return std::fma(a, b, c);
  } else {
    return a * b + c;
  }
}

template <class Arch>
void hidden_forward(const float* W_in, const float* b_in, const uint32_t* tokens,
                    const uint32_t* offsets, size_t B, size_t d, float* hidden) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  const Batch zero(0.0f);
  for (size_t b = 0; b < B; ++b) {
    const uint32_t* set = tokens + offsets[b];
    const size_t k = offsets[b + 1] - offsets[b];
    float* out = hidden + b * d;
    size_t j = 0;
    for (; j + W <= d; j += W) {
      Batch acc = Batch::load_unaligned(b_in + j);
      for (size_t i = 0; i < k; ++i) {
        acc += Batch::load_unaligned(W_in + static_cast<size_t>(set[i]) * d + j);
      }
      xsimd::max(acc, zero).store_unaligned(out + j);
    }
    for (; j < d; ++j) {
      float acc = b_in[j];
      for (size_t i = 0; i < k; ++i) acc += W_in[static_cast<size_t>(set[i]) * d + j];
      out[j] = acc > 0.0f ? acc : 0.0f;
    }
  }
}

// One R x (C vectors) tile of z, rows [b, b + R), tokens [t, t + C W).
template <class Arch, size_t R, size_t C>
void output_tile(const float* hidden, const float* W_outT, const float* b_out, size_t d, size_t V,
                 size_t b, size_t t, float* z) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  std::array<std::array<Batch, C>, R> acc;
  for (size_t c = 0; c < C; ++c) {
    const Batch bias = Batch::load_unaligned(b_out + t + c * W);
    for (size_t r = 0; r < R; ++r) acc[r][c] = bias;
  }
  for (size_t j = 0; j < d; ++j) {
    std::array<Batch, C> w;
    for (size_t c = 0; c < C; ++c) w[c] = Batch::load_unaligned(W_outT + j * V + t + c * W);
    for (size_t r = 0; r < R; ++r) {
      const Batch h(hidden[(b + r) * d + j]);
      for (size_t c = 0; c < C; ++c) acc[r][c] = multiply_add<Arch>(h, w[c], acc[r][c]);
    }
  }
  for (size_t r = 0; r < R; ++r) {
    for (size_t c = 0; c < C; ++c) acc[r][c].store_unaligned(z + (b + r) * V + t + c * W);
  }
}

// Tiles of C vectors of tokens over all rows, R rows at a time, then the leftover rows one by one.
template <class Arch, size_t R, size_t C>
void output_columns(const float* hidden, const float* W_outT, const float* b_out, size_t B,
                    size_t d, size_t V, size_t t, float* z) {
  size_t b = 0;
  for (; b + R <= B; b += R) output_tile<Arch, R, C>(hidden, W_outT, b_out, d, V, b, t, z);
  for (; b < B; ++b) output_tile<Arch, 1, C>(hidden, W_outT, b_out, d, V, b, t, z);
}

template <class Arch>
void output_forward(const float* hidden, const float* W_outT, const float* b_out, size_t B,
                    size_t d, size_t V, size_t t0, size_t t1, float* z) {
  constexpr size_t W = xsimd::batch<float, Arch>::size;
  constexpr size_t R = OutputTile<Arch>::kRows;
  constexpr size_t C = OutputTile<Arch>::kCols;
  size_t t = t0;
  for (; t + C * W <= t1; t += C * W) {
    output_columns<Arch, R, C>(hidden, W_outT, b_out, B, d, V, t, z);
  }
  for (; t + W <= t1; t += W) output_columns<Arch, R, 1>(hidden, W_outT, b_out, B, d, V, t, z);
  for (; t < t1; ++t) {
    for (size_t b = 0; b < B; ++b) {
      float acc = b_out[t];
      for (size_t j = 0; j < d; ++j) {
        acc = multiply_add<Arch>(hidden[b * d + j], W_outT[j * V + t], acc);
      }
      z[b * V + t] = acc;
    }
  }
}

template <class Arch>
void softmax(const float* z, size_t B, size_t V, float* p) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  for (size_t b = 0; b < B; ++b) {
    const float* row = z + b * V;
    float* out = p + b * V;
    // Row maximum: order-free, so it equals the scalar twin's exactly.
    Batch vmax(-INFINITY);
    size_t t = 0;
    for (; t + W <= V; t += W) vmax = xsimd::max(vmax, Batch::load_unaligned(row + t));
    alignas(64) float lanes[W];
    vmax.store_aligned(lanes);
    float zmax = lanes[0];
    for (size_t i = 1; i < W; ++i) zmax = lanes[i] > zmax ? lanes[i] : zmax;
    for (; t < V; ++t) zmax = row[t] > zmax ? row[t] : zmax;

    const Batch shift(zmax);
    Batch vsum(0.0f);
    t = 0;
    for (; t + W <= V; t += W) {
      const Batch e = xsimd::exp(Batch::load_unaligned(row + t) - shift);
      e.store_unaligned(out + t);
      vsum += e;
    }
    float sum = xsimd::hadd(vsum);
    for (; t < V; ++t) {
      out[t] = std::exp(row[t] - zmax);
      sum += out[t];
    }
    const Batch scale(1.0f / sum);
    t = 0;
    for (; t + W <= V; t += W) (Batch::load_unaligned(out + t) * scale).store_unaligned(out + t);
    for (; t < V; ++t) out[t] *= 1.0f / sum;
  }
}

}  // namespace

template <class Arch>
KernelSet KernelSetOf::operator()(Arch) const {
  return KernelSet{Arch::name(), &hidden_forward<Arch>, &output_forward<Arch>, &softmax<Arch>};
}

}  // namespace bloomnet::kernels
