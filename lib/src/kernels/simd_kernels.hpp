// The SIMD kernels, written once over the xsimd architecture. Included only by the generated
// arch_kernels_<name>.cpp files (lib/CMakeLists.txt), each compiled with its architecture's flags.
// An inline function or template emitted in two files is kept once by the linker, so one built with
// AVX-512 flags could end up serving generic code: hence everything here sits in an anonymous
// namespace, and the kernels use no standard-library template whose arguments do not name the
// architecture (no std::max, std::max_element, std::array<float, N>). Scalar twins:
// scalar_kernels.cpp. Tests: proptests/kernels_props.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/kernel_set_of.hpp"

namespace bloomnet::kernels {
namespace {

// Register tile of the GEMMs: rows x vectors of columns, sized so accumulators,
// one vector per token column and one broadcast fit the register file (32 vector registers on
// AVX-512, 16 below).
template <class Arch>
struct GemmTile {
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
void hidden_forward(Activation activation, const float* W_in, const float* b_in,
                    const uint32_t* tokens, const uint32_t* offsets, size_t B, size_t d,
                    float* hidden) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  const bool relu = activation == Activation::kRelu;
  // max(x, -inf) = x: the identity costs the same instruction as the ReLU.
  const Batch floor(relu ? 0.0f : -INFINITY);
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
      xsimd::max(acc, floor).store_unaligned(out + j);
    }
    for (; j < d; ++j) {
      float acc = b_in[j];
      for (size_t i = 0; i < k; ++i) acc += W_in[static_cast<size_t>(set[i]) * d + j];
      out[j] = !relu || acc > 0.0f ? acc : 0.0f;
    }
  }
}

// How a GEMM tile's accumulators start: from a bias row, from zero, or from the partial sums
// already in the output (a long reduction split into blocks keeps its order).
enum class Start { kBias, kZero, kAccumulate };

// The GEMM shape every dense product of the network reduces to: out[r, n] = start +
// fma-chain over i = 0..K-1 of A[r, i] Bm[i, n]. One R x (C vectors) register tile: rows
// [r, r + R) of A (row-major, leading dimension lda), all K rows of a packed block of Bm
// (K x width, contiguous), its columns [c, c + C W); bias and out are offset to the block's
// first column.
template <class Arch, Start start, size_t R, size_t C>
void gemm_tile(const float* A, size_t lda, const float* packed, size_t ldp, size_t K,
               const float* bias, size_t r, size_t c, float* out, size_t ldc) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  std::array<std::array<Batch, C>, R> acc;
  for (size_t v = 0; v < C; ++v) {
    for (size_t i = 0; i < R; ++i) {
      if constexpr (start == Start::kBias) {
        acc[i][v] = Batch::load_unaligned(bias + c + v * W);
      } else if constexpr (start == Start::kZero) {
        acc[i][v] = Batch(0.0f);
      } else {
        acc[i][v] = Batch::load_unaligned(out + (r + i) * ldc + c + v * W);
      }
    }
  }
  for (size_t k = 0; k < K; ++k) {
    std::array<Batch, C> w;
    for (size_t v = 0; v < C; ++v) w[v] = Batch::load_aligned(packed + k * ldp + c + v * W);
    for (size_t i = 0; i < R; ++i) {
      const Batch a(A[(r + i) * lda + k]);
      for (size_t v = 0; v < C; ++v) acc[i][v] = multiply_add<Arch>(a, w[v], acc[i][v]);
    }
  }
  for (size_t i = 0; i < R; ++i) {
    for (size_t v = 0; v < C; ++v) acc[i][v].store_unaligned(out + (r + i) * ldc + c + v * W);
  }
}

// Columns [c, c + C W) of a packed block over all M rows, R rows at a time, then one by one.
template <class Arch, Start start, size_t R, size_t C>
void gemm_column_strip(const float* A, size_t lda, const float* packed, size_t ldp, size_t K,
                       size_t M, const float* bias, size_t c, float* out, size_t ldc) {
  size_t r = 0;
  for (; r + R <= M; r += R) {
    gemm_tile<Arch, start, R, C>(A, lda, packed, ldp, K, bias, r, c, out, ldc);
  }
  // The rows left over (B = 256 leaves 4 of 6-row tiles) in halving tiles: a one-row tile loads
  // as many vectors as it multiplies, and the loads become the limit.
  if constexpr (R > 4) {
    if (r + 4 <= M) {
      gemm_tile<Arch, start, 4, C>(A, lda, packed, ldp, K, bias, r, c, out, ldc);
      r += 4;
    }
  }
  if constexpr (R > 2) {
    if (r + 2 <= M) {
      gemm_tile<Arch, start, 2, C>(A, lda, packed, ldp, K, bias, r, c, out, ldc);
      r += 2;
    }
  }
  for (; r < M; ++r) gemm_tile<Arch, start, 1, C>(A, lda, packed, ldp, K, bias, r, c, out, ldc);
}

// One packed block of `width` columns: wide strips, single-vector strips, then scalar columns.
template <class Arch, Start start>
void gemm_block(const float* A, size_t lda, const float* packed, size_t ldp, size_t width, size_t K,
                size_t M, const float* bias, float* out, size_t ldc) {
  constexpr size_t W = xsimd::batch<float, Arch>::size;
  constexpr size_t R = GemmTile<Arch>::kRows;
  constexpr size_t C = GemmTile<Arch>::kCols;
  size_t c = 0;
  for (; c + C * W <= width; c += C * W) {
    gemm_column_strip<Arch, start, R, C>(A, lda, packed, ldp, K, M, bias, c, out, ldc);
  }
  for (; c + W <= width; c += W) {
    gemm_column_strip<Arch, start, R, 1>(A, lda, packed, ldp, K, M, bias, c, out, ldc);
  }
  for (; c < width; ++c) {
    for (size_t r = 0; r < M; ++r) {
      float acc = start == Start::kBias ? bias[c] : start == Start::kZero ? 0.0f : out[r * ldc + c];
      for (size_t k = 0; k < K; ++k) {
        acc = multiply_add<Arch>(A[r * lda + k], packed[k * ldp + c], acc);
      }
      out[r * ldc + c] = acc;
    }
  }
}

// packed[k ldp + c] = rows[c ldr + k] for c < width, k < depth: a block of a matrix stored
// transposed, packed as the GEMM reads it. One element at a time, this costs a store per element,
// as much as a sixth of the hidden gradient's time (perf, V 4096, d 128); on AVX-512, 16 x 16
// squares go through registers instead (16 loads, 64 two-source permutes, 16 aligned stores).
// A copy: every instruction set packs the same values.
// The 16 x 16 transpose's permute indices. Stage s (b = 2^s) swaps, in every 2b x 2b square, the
// b x b block right of the diagonal with the one below it: after b = 1, 2, 4, 8 element (i, j)
// sits at (j, i). Row i (bit b clear) takes `low` of rows i and i + b, row i + b takes `high`.
struct TransposeIndices {
  int32_t low[4][16], high[4][16];
};

constexpr TransposeIndices transpose_indices() {
  TransposeIndices out{};
  for (int32_t s = 0; s < 4; ++s) {
    const int32_t b = 1 << s;
    for (int32_t j = 0; j < 16; ++j) {
      out.low[s][j] = (j & b) != 0 ? 16 + j - b : j;
      out.high[s][j] = (j & b) != 0 ? 16 + j : j + b;
    }
  }
  return out;
}

template <class Arch>
void pack_transposed(const float* rows, size_t ldr, size_t width, size_t depth, float* packed,
                     size_t ldp) {
  size_t c0 = 0;
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    using Batch = xsimd::batch<float, Arch>;
    using Indices = xsimd::batch<int32_t, Arch>;
    static constexpr TransposeIndices kIndices = transpose_indices();
    for (; c0 + 16 <= width; c0 += 16) {
      size_t k0 = 0;
      for (; k0 + 16 <= depth; k0 += 16) {
        Batch r[16];
        for (size_t i = 0; i < 16; ++i) r[i] = Batch::load_unaligned(rows + (c0 + i) * ldr + k0);
        for (size_t s = 0; s < 4; ++s) {
          const size_t b = size_t{1} << s;
          const auto lo = Indices::load_unaligned(kIndices.low[s]);
          const auto hi = Indices::load_unaligned(kIndices.high[s]);
          for (size_t i = 0; i < 16; ++i) {
            if ((i & b) != 0) continue;
            const Batch a = r[i];
            r[i] = _mm512_permutex2var_ps(a, lo, r[i + b]);
            r[i + b] = _mm512_permutex2var_ps(a, hi, r[i + b]);
          }
        }
        for (size_t i = 0; i < 16; ++i) r[i].store_aligned(packed + (k0 + i) * ldp + c0);
      }
      for (size_t c = c0; c < c0 + 16; ++c) {
        for (size_t k = k0; k < depth; ++k) packed[k * ldp + c] = rows[c * ldr + k];
      }
    }
  }
  for (size_t c = c0; c < width; ++c) {
    for (size_t k = 0; k < depth; ++k) packed[k * ldp + c] = rows[c * ldr + k];
  }
}

// sums[c] (+)= packed[0, c] + ... + packed[depth - 1, c] for c < width, in increasing k: from the
// first row, or continuing the sums of the blocks before (`continued`). Plain adds, held in
// registers down each column: every instruction set gives the same bits.
template <class Arch>
void sum_columns(const float* packed, size_t ldp, size_t width, size_t depth, bool continued,
                 float* sums) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  size_t c = 0;
  for (; c + W <= width; c += W) {
    Batch acc = continued ? Batch::load_unaligned(sums + c) : Batch::load_aligned(packed + c);
    for (size_t k = continued ? 0 : 1; k < depth; ++k)
      acc += Batch::load_aligned(packed + k * ldp + c);
    acc.store_unaligned(sums + c);
  }
  for (; c < width; ++c) {
    float acc = continued ? sums[c] : packed[c];
    for (size_t k = continued ? 0 : 1; k < depth; ++k) acc += packed[k * ldp + c];
    sums[c] = acc;
  }
}

// Bm is read through packed blocks of kDepth rows x one strip of columns, contiguous and aligned:
// rows of Bm lie a whole vocabulary apart (a power of two, often), and tiles streaming them
// directly thrash a few cache sets and the TLB. A block 512 deep (128 KB on AVX-512, in the L2)
// takes a batch of 512 in one block: with two, the second block reloads the output strip the
// first wrote (its rows a vocabulary apart too, so they share a few cache sets and, presumably,
// come back from beyond the L2). Deeper blocks also halve the hidden gradient's passes over its
// output. One thread at V 16384, d 256, B 512 (train_bench, alternating binaries): weight
// gradient 20.2 / 20.1 / 20.5 -> 19.6 / 19.1 / 20.0 ms, hidden gradient 20.2 / 20.7 / 20.2 / 20.3
// -> 19.3 / 19.1 / 18.9 / 18.5 ms (1024 deep: no better; 128: worse).
template <class Arch>
constexpr size_t kStripWidth = GemmTile<Arch>::kCols* xsimd::batch<float, Arch>::size;
constexpr size_t kDepth = 512;

// out[r, n] = start + fma-chain over k = 0..K-1 of A[r, k] Bm[k, n], for all M rows and the
// columns n in [n0, n1), every element in increasing k whatever the blocking (block after block,
// each continuing the partial sums of the last). Bm[k, n] is Bm[k ldb + n], or Bm[n ldb + k] when
// kTransposed (the product with a matrix stored transposed). With column_sums (not transposed
// only), also column_sums[n] = Bm[0, n] + ... + Bm[K-1, n] in increasing k, taken while packing.
template <class Arch, Start start, bool kTransposed = false>
void gemm(const float* A, size_t lda, const float* Bm, size_t ldb, size_t K, size_t M,
          const float* bias, size_t n0, size_t n1, float* out, size_t ldc,
          float* column_sums = nullptr) {
  constexpr size_t kWidth = kStripWidth<Arch>;
  constexpr size_t W = xsimd::batch<float, Arch>::size;
  alignas(64) float packed[kDepth * kWidth];
  auto block = [&](size_t n, size_t k0) {
    const size_t width = n1 - n < kWidth ? n1 - n : kWidth;
    const size_t ldp = (width + W - 1) / W * W;  // keeps every packed row vector-aligned
    const size_t depth = K - k0 < kDepth ? K - k0 : kDepth;
    if constexpr (kTransposed) {
      pack_transposed<Arch>(Bm + n * ldb + k0, ldb, width, depth, packed, ldp);
    } else {
      for (size_t k = 0; k < depth; ++k) {
        const float* row = Bm + (k0 + k) * ldb + n;
        size_t c = 0;
        for (; c + W <= width; c += W) {
          xsimd::batch<float, Arch>::load_unaligned(row + c).store_aligned(packed + k * ldp + c);
        }
        for (; c < width; ++c) packed[k * ldp + c] = row[c];
      }
      if (column_sums != nullptr) {
        sum_columns<Arch>(packed, ldp, width, depth, k0 > 0, column_sums + n);
      }
    }
    const float* bias_n = start == Start::kBias ? bias + n : nullptr;
    if (k0 == 0) {
      gemm_block<Arch, start>(A, lda, packed, ldp, width, depth, M, bias_n, out + n, ldc);
    } else {
      gemm_block<Arch, Start::kAccumulate>(A + k0, lda, packed, ldp, width, depth, M, bias_n,
                                           out + n, ldc);
    }
  };
  // The transposed product (the hidden gradient: a long reduction over V, few columns) runs its
  // reduction blocks outermost, so each block of A's columns (B x 512 of dz) comes from memory
  // once for all column strips rather than once per strip: one thread at V 16384, d 256, B 512,
  // 20.5-21.2 -> 19.4-19.5 ms (train_bench, alternating binaries). The others run their strips
  // outermost: their reductions (d or B) are short, and a strip's partial sums stay in cache.
  if constexpr (kTransposed) {
    for (size_t k0 = 0; k0 < K || k0 == 0; k0 += kDepth) {
      for (size_t n = n0; n < n1; n += kWidth) block(n, k0);
    }
  } else {
    for (size_t n = n0; n < n1; n += kWidth) {
      for (size_t k0 = 0; k0 < K || k0 == 0; k0 += kDepth) block(n, k0);
    }
  }
}

template <class Arch>
void output_forward(const float* hidden, const float* W_outT, const float* b_out, size_t B,
                    size_t d, size_t V, size_t t0, size_t t1, float* z) {
  gemm<Arch, Start::kBias>(hidden, d, W_outT, V, d, B, b_out, t0, t1, z, V);
}

template <class Arch>
void output_weight_gradient(const float* hidden_t, const float* dz, size_t B, size_t d, size_t V,
                            size_t t0, size_t t1, float* dW_outT, float* db_out) {
  gemm<Arch, Start::kZero>(hidden_t, B, dz, V, B, d, nullptr, t0, t1, dW_outT, V, db_out);
}

// dhidden = dz W_out, a reduction over the vocabulary along W_outT's rows: the GEMM reads W_outT
// transposed into its packed blocks.
template <class Arch>
void hidden_gradient(Activation activation, const float* dz, const float* W_outT,
                     const float* hidden, size_t B, size_t d, size_t V, size_t j0, size_t j1,
                     float* dhidden) {
  gemm<Arch, Start::kZero, true>(dz, V, W_outT, V, V, B, nullptr, j0, j1, dhidden, d);
  if (activation == Activation::kIdentity) return;
  for (size_t b = 0; b < B; ++b) {
    for (size_t j = j0; j < j1; ++j) {
      if (!(hidden[b * d + j] > 0.0f)) dhidden[b * d + j] = 0.0f;
    }
  }
}

template <class Arch>
void input_gradient(const float* dhidden, const uint32_t* tokens, const uint32_t* offsets, size_t B,
                    size_t d, size_t j0, size_t j1, float* dW_in, float* db_in) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  auto add_row = [&](const float* from, float* to) {
    size_t j = j0;
    for (; j + W <= j1; j += W) {
      (Batch::load_unaligned(to + j) + Batch::load_unaligned(from + j)).store_unaligned(to + j);
    }
    for (; j < j1; ++j) to[j] += from[j];
  };
  for (size_t b = 0; b < B; ++b) {
    for (uint32_t i = offsets[b]; i < offsets[b + 1]; ++i) {
      add_row(dhidden + b * d, dW_in + static_cast<size_t>(tokens[i]) * d);
    }
    add_row(dhidden + b * d, db_in);
  }
}

// The first two passes of a row's softmax: out[t] = exp(row[t] - max row), and the row's maximum
// and the sum of out. softmax and softmax_cross_entropy share them, so both give the same bits.
struct RowExponentials {
  float zmax, sum;
};

template <class Arch>
RowExponentials exponentials(const float* row, size_t V, float* out) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
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
  return {zmax, sum};
}

template <class Arch>
void softmax(const float* z, size_t B, size_t V, float* p, float* log_normalizer) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  for (size_t b = 0; b < B; ++b) {
    float* out = p + b * V;
    const RowExponentials row = exponentials<Arch>(z + b * V, V, out);
    const Batch scale(1.0f / row.sum);
    size_t t = 0;
    for (; t + W <= V; t += W) (Batch::load_unaligned(out + t) * scale).store_unaligned(out + t);
    for (; t < V; ++t) out[t] *= 1.0f / row.sum;
    if (log_normalizer != nullptr) log_normalizer[b] = row.zmax + std::log(row.sum);
  }
}

// softmax, then loss_gradient's cross-entropy, with the probabilities never stored: the
// exponentials go into dz's row and are scaled in place, (e / sum) scale, as the two kernels round.
template <class Arch>
void softmax_cross_entropy(const float* z, const uint32_t* tokens, const uint32_t* offsets,
                           size_t B, size_t V, float scale, float* dz, float* members,
                           double* loss_out) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  for (size_t b = 0; b < B; ++b) {
    const float* row = z + b * V;
    float* grow = dz + b * V;
    const uint32_t* S = tokens + offsets[b];
    float* member = members + offsets[b];
    const size_t k = offsets[b + 1] - offsets[b];
    const float q = 1.0f / static_cast<float>(k);
    // The members' logits first: dz may be z, and the exponentials overwrite them.
    for (size_t i = 0; i < k; ++i) member[i] = row[S[i]];
    const RowExponentials e = exponentials<Arch>(row, V, grow);
    const float log_normalizer = e.zmax + std::log(e.sum);
    double ce = 0.0;
    for (size_t i = 0; i < k; ++i) ce -= static_cast<double>(member[i]) - log_normalizer;
    loss_out[b] = ce / static_cast<double>(k);
    const float inverse = 1.0f / e.sum;
    // The members' entries, from their exponentials, before the pass below overwrites them.
    for (size_t i = 0; i < k; ++i) member[i] = (grow[S[i]] * inverse - q) * scale;
    const Batch vinverse(inverse), vscale(scale);
    size_t t = 0;
    for (; t + W <= V; t += W) {
      (Batch::load_unaligned(grow + t) * vinverse * vscale).store_unaligned(grow + t);
    }
    for (; t < V; ++t) grow[t] = grow[t] * inverse * scale;
    for (size_t i = 0; i < k; ++i) grow[S[i]] = member[i];
  }
}

template <class Arch>
void loss_gradient(LossKind loss, const float* z, const float* p, const float* log_normalizer,
                   const uint32_t* tokens, const uint32_t* offsets, size_t B, size_t V, float scale,
                   float* dz, double* loss_out) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
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
      const Batch vscale(scale);
      size_t t = 0;
      for (; t + W <= V; t += W)
        (Batch::load_unaligned(prow + t) * vscale).store_unaligned(grow + t);
      for (; t < V; ++t) grow[t] = prow[t] * scale;
      for (size_t i = 0; i < k; ++i) grow[S[i]] = (prow[S[i]] - q) * scale;
    } else {
      Batch vsquares(0.0f);
      size_t t = 0;
      for (; t + W <= V; t += W) {
        const Batch pt = Batch::load_unaligned(prow + t);
        vsquares += pt * pt;
      }
      float squares = xsimd::hadd(vsquares);
      for (; t < V; ++t) squares += prow[t] * prow[t];
      float members = 0.0f;
      for (size_t i = 0; i < k; ++i) members += prow[S[i]];
      const float gp = 2.0f * (squares - q * members);
      loss_out[b] = static_cast<double>(squares) - 2.0 * q * members + q;
      const Batch two(2.0f), vgp(gp), vscale(scale);
      t = 0;
      for (; t + W <= V; t += W) {
        const Batch pt = Batch::load_unaligned(prow + t);
        (pt * (two * pt - vgp) * vscale).store_unaligned(grow + t);
      }
      for (; t < V; ++t) grow[t] = prow[t] * (2.0f * prow[t] - gp) * scale;
      for (size_t i = 0; i < k; ++i) {
        const float pt = prow[S[i]];
        grow[S[i]] = pt * (2.0f * (pt - q) - gp) * scale;
      }
    }
  }
}

template <class Arch>
void adam_update(const AdamStep& s, const float* grad, size_t n, float* param, float* m, float* v) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  const Batch beta1(s.beta1), one_minus_beta1(s.one_minus_beta1), beta2(s.beta2),
      one_minus_beta2(s.one_minus_beta2), step_size(s.step_size),
      inv_sqrt_correction2(s.inv_sqrt_correction2), eps(s.eps), keep(1.0f - s.decay);
  size_t i = 0;
  for (; i + W <= n; i += W) {
    const Batch g = Batch::load_unaligned(grad + i);
    const Batch mi = beta1 * Batch::load_unaligned(m + i) + one_minus_beta1 * g;
    const Batch vi = beta2 * Batch::load_unaligned(v + i) + one_minus_beta2 * (g * g);
    const Batch denominator = xsimd::sqrt(vi) * inv_sqrt_correction2 + eps;
    const Batch pi = Batch::load_unaligned(param + i) * keep - step_size * mi / denominator;
    mi.store_unaligned(m + i);
    vi.store_unaligned(v + i);
    pi.store_unaligned(param + i);
  }
  for (; i < n; ++i) {
    m[i] = s.beta1 * m[i] + s.one_minus_beta1 * grad[i];
    v[i] = s.beta2 * v[i] + s.one_minus_beta2 * (grad[i] * grad[i]);
    const float denominator = std::sqrt(v[i]) * s.inv_sqrt_correction2 + s.eps;
    param[i] = param[i] * (1.0f - s.decay) - s.step_size * m[i] / denominator;
  }
}

template <class Arch>
void sgd_update(float lr, float momentum, const float* grad, size_t n, float* param,
                float* velocity) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr size_t W = Batch::size;
  const Batch vlr(lr), vmomentum(momentum);
  size_t i = 0;
  for (; i + W <= n; i += W) {
    const Batch vel =
        vmomentum * Batch::load_unaligned(velocity + i) + Batch::load_unaligned(grad + i);
    vel.store_unaligned(velocity + i);
    (Batch::load_unaligned(param + i) - vlr * vel).store_unaligned(param + i);
  }
  for (; i < n; ++i) {
    velocity[i] = momentum * velocity[i] + grad[i];
    param[i] = param[i] - lr * velocity[i];
  }
}

template <class Arch>
double multiply_add_peak(size_t iterations, float* sink) {
  using Batch = xsimd::batch<float, Arch>;
  // 4-cycle latency x 2 FMA ports, with margin: 12 chains keep both ports busy.
  constexpr size_t kChains = 12;
  std::array<Batch, kChains> acc;
  for (size_t c = 0; c < kChains; ++c) acc[c] = Batch(static_cast<float>(c));
  const Batch a(0.999999f), b(1e-7f);
  for (size_t i = 0; i < iterations; ++i) {
    for (size_t c = 0; c < kChains; ++c) acc[c] = multiply_add<Arch>(acc[c], a, b);
  }
  Batch total(0.0f);
  for (size_t c = 0; c < kChains; ++c) total += acc[c];
  *sink = xsimd::hadd(total);
  return 2.0 * static_cast<double>(iterations * kChains * Batch::size);
}

// The split-block filter's blocks are 256 bits: AVX2 and AVX-512 both hold one in a 256-bit
// register (AVX-512 with its EVEX encodings), SSE2 in two 128-bit ones.
template <class Arch>
using BlockArch = std::conditional_t<(xsimd::batch<uint32_t, Arch>::size > 8), xsimd::avx2, Arch>;

// The lanes of key hash h's bits within its block, one 256-bit block as 8 / W vectors.
template <class Arch>
struct BlockMask {
  using Batch = xsimd::batch<uint32_t, BlockArch<Arch>>;
  static constexpr size_t kVectors = 8 / Batch::size;
  std::array<Batch, kVectors> bits;

  explicit BlockMask(uint64_t h) {
    const Batch low(static_cast<uint32_t>(h));
    for (size_t v = 0; v < kVectors; ++v) {
      const Batch salt = Batch::load_unaligned(kBlockSalts + v * Batch::size);
      bits[v] = Batch(1u) << ((low * salt) >> 27);
    }
  }

  // Unaligned loads: a filter mapped from a file has its lanes where the file puts them (4-byte
  // aligned at least); on aligned lanes they cost what aligned ones do.
  bool all_set_in(const uint32_t* block) const {
    if constexpr (kVectors == 1) {
      // One 256-bit register: VPTEST's carry is "every bit of the mask is set in the lanes", one
      // instruction where all(lanes & bits == bits) takes three (xsimd 8.1 has no testc). A
      // query is a couple of dozen instructions: in bloom_bench, one key at a time at 10^5 keys,
      // 1.70 ns with xsimd's all() and 1.49 with this, back to back.
      return _mm256_testc_si256(Batch::load_unaligned(block), bits[0]) != 0;
    }
    for (size_t v = 0; v < kVectors; ++v) {
      const Batch lanes = Batch::load_unaligned(block + v * Batch::size);
      if (!xsimd::all((lanes & bits[v]) == bits[v])) return false;
    }
    return true;
  }
};

inline size_t block_index(uint64_t h, size_t blocks) { return (h >> 32) * blocks >> 32; }

// The batched loops go over the keys one of two ways, by where the filter lives.
// - Up to kNearFilterBytes (about a core's L2): a plain loop. A block arrives in tens of cycles,
//   the core's out-of-order window covers that across keys, and any bookkeeping only costs.
// - Past it (the shared L3, DRAM): each key's block is requested kAhead keys before it is
//   handled, so requests are in flight all the time and no key waits out a whole latency. A DRAM
//   access takes hundreds of cycles, and the core tracks far more prefetches in flight (in its
//   L2) than its L1 has fill buffers, so only a long queue covers it.
// Measured (bloom_bench, contains_batch, one thread, ns per key): at 10^8 keys (125 MB) 8.8 /
// 6.5 / 4.2 / 3.2 / 3.4 with 16 / 32 / 64 / 128 / 256 keys ahead; plain loop against 128 ahead,
// two runs each: 1.32 and 1.24 against 1.40 and 1.39 at 10^6 keys (1.2 MB), even at 2-3 * 10^6,
// 1.66 and 1.40 against 1.45 and 1.43 at 5 * 10^6, 2.52 and 1.58 against 1.47 and 1.41 at 10^7
// (12 MB; 16 ahead there: 2.0 and 2.2).
inline constexpr size_t kNearFilterBytes = size_t{2} << 20;
inline constexpr size_t kAhead = 128;

// The pipelined loop: hashes of the keys in flight in a ring, each key's block requested (for
// reading, or for writing when kWrite) kAhead keys before it is handled. address(h) is where the
// key of hash h goes: the block to request.
template <bool kWrite, class Address, class Handle>
void pipelined(uint64_t seed, const uint64_t* keys, size_t n, Address address, Handle handle) {
  static_assert((kAhead & (kAhead - 1)) == 0, "the ring index is a mask");
  uint64_t ring[kAhead];
  auto request = [&](size_t i) {
    const uint64_t h = block_hash(keys[i], seed);
    ring[i & (kAhead - 1)] = h;
    __builtin_prefetch(address(h), kWrite ? 1 : 0);
  };
  const size_t ahead = std::min(kAhead, n);
  for (size_t i = 0; i < ahead; ++i) request(i);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = ring[i & (kAhead - 1)];
    if (i + kAhead < n) request(i + kAhead);
    handle(i, h);
  }
}

// handle(i, hash of key i) for every key, in order, the way a filter of `blocks` blocks wants.
template <bool kWrite, class Address, class Handle>
void for_each_key(size_t blocks, uint64_t seed, const uint64_t* keys, size_t n, Address address,
                  Handle handle) {
  if (32 * blocks <= kNearFilterBytes) {
    for (size_t i = 0; i < n; ++i) handle(i, block_hash(keys[i], seed));
  } else {
    pipelined<kWrite>(seed, keys, n, address, handle);
  }
}

template <class Arch>
void insert_all(uint32_t* data, size_t blocks, uint64_t seed, const uint64_t* keys, size_t n) {
  using Mask = BlockMask<Arch>;
  // Captures by value, here and below: a lambda holding references would have the loop reload
  // data, blocks and out after every store through out (a uint8_t store may alias anything).
  auto block = [data, blocks](uint64_t h) { return data + 8 * block_index(h, blocks); };
  for_each_key<true>(blocks, seed, keys, n, block, [block](size_t, uint64_t h) {
    uint32_t* at = block(h);
    const Mask mask(h);
    for (size_t v = 0; v < Mask::kVectors; ++v, at += Mask::Batch::size) {
      (Mask::Batch::load_aligned(at) | mask.bits[v]).store_aligned(at);
    }
  });
}

template <class Arch>
void block_insert(uint32_t* data, size_t blocks, uint64_t seed, const uint64_t* keys, size_t n,
                  size_t first_block, size_t end_block) {
  if (first_block == 0 && end_block >= blocks) {
    insert_all<Arch>(data, blocks, seed, keys, n);
    return;
  }
  // A thread's share of the blocks: its keys are gathered a chunk at a time without a branch
  // (which keys they are is random, and mispredicting half of them would cost more than the
  // inserts), then inserted through the pipeline, whose requests are then all its own.
  constexpr size_t kChunk = 2048;
  uint64_t mine[kChunk];
  for (size_t first = 0; first < n; first += kChunk) {
    const size_t count = std::min(kChunk, n - first);
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint64_t key = keys[first + i];
      const size_t index = block_index(block_hash(key, seed), blocks);
      mine[kept] = key;
      kept += index - first_block < end_block - first_block;
    }
    insert_all<Arch>(data, blocks, seed, mine, kept);
  }
}

template <class Arch>
bool block_contains(const uint32_t* data, size_t blocks, uint64_t seed, uint64_t key) {
  // block_index reads only the hash's high half, which is the product's: taken from the product,
  // the block's address waits on one multiply, not on the xor-shift too. bloom_bench, one key at
  // a time, back to back: 2.18-2.26 ns against 2.09-2.15 at 10^6 keys, 1.50-1.54 against
  // 1.45-1.50 at 10^5.
  const uint32_t* block = data + 8 * block_index(block_product(key, seed), blocks);
  return BlockMask<Arch>(block_hash(key, seed)).all_set_in(block);
}

template <class Arch>
void block_contains_batch(const uint32_t* data, size_t blocks, uint64_t seed, const uint64_t* keys,
                          size_t n, uint8_t* out) {
  auto block = [data, blocks](uint64_t h) { return data + 8 * block_index(h, blocks); };
  for_each_key<false>(blocks, seed, keys, n, block, [block, out](size_t i, uint64_t h) {
    out[i] = BlockMask<Arch>(h).all_set_in(block(h));
  });
}

template <class Arch>
void mask_positives(const uint64_t* masks, size_t V, size_t words, const uint64_t* unset,
                    uint64_t* out) {
  using Batch = xsimd::batch<uint64_t, BlockArch<Arch>>;
  constexpr size_t W = Batch::size;
  std::fill(out, out + (V + 63) / 64, 0);
  if (words % W != 0) {
    // Masks narrower than a register (m < 256 on AVX2): word by word.
    for (size_t t = 0; t < V; ++t) {
      uint64_t outside = 0;
      for (size_t w = 0; w < words; ++w) outside |= masks[t * words + w] & unset[w];
      out[t / 64] |= static_cast<uint64_t>(outside == 0) << (t % 64);
    }
    return;
  }
  for (size_t t = 0; t < V; ++t) {
    Batch outside(uint64_t{0});
    for (size_t w = 0; w < words; w += W) {
      outside |= Batch::load_unaligned(masks + t * words + w) & Batch::load_unaligned(unset + w);
    }
    out[t / 64] |= static_cast<uint64_t>(!xsimd::any(outside != Batch(uint64_t{0}))) << (t % 64);
  }
}

template <class Arch>
void union_of_rows(const uint64_t* rows, size_t stride, const uint32_t* which, size_t count,
                   size_t w0, size_t w1, uint64_t* out) {
  using Batch = xsimd::batch<uint64_t, Arch>;
  constexpr size_t W = Batch::size;
  std::fill(out + w0, out + w1, 0);
  // Four rows per pass over the output range: each row is read as one contiguous stream, and the
  // range (callers keep it to a few KB) stays in L1 between passes.
  size_t i = 0;
  for (; i < count; i += 4) {
    const uint64_t* r[4];
    for (size_t j = 0; j < 4; ++j) r[j] = rows + which[std::min(i + j, count - 1)] * stride;
    size_t w = w0;
    for (; w + W <= w1; w += W) {
      const Batch a = Batch::load_unaligned(r[0] + w) | Batch::load_unaligned(r[1] + w);
      const Batch b = Batch::load_unaligned(r[2] + w) | Batch::load_unaligned(r[3] + w);
      (Batch::load_unaligned(out + w) | a | b).store_unaligned(out + w);
    }
    for (; w < w1; ++w) out[w] |= r[0][w] | r[1][w] | r[2][w] | r[3][w];
  }
}

}  // namespace

template <class Arch>
KernelSet KernelSetOf::operator()(Arch) const {
  return {.name = Arch::name(),
          .fused_multiply_add = kFusedMultiplyAdd<Arch>,
          .network = {.hidden_forward = &hidden_forward<Arch>,
                      .input_gradient = &input_gradient<Arch>,
                      .output_forward = &output_forward<Arch>,
                      .output_weight_gradient = &output_weight_gradient<Arch>,
                      .hidden_gradient = &hidden_gradient<Arch>,
                      .softmax = &softmax<Arch>},
          .training = {.loss_gradient = &loss_gradient<Arch>,
                       .softmax_cross_entropy = &softmax_cross_entropy<Arch>,
                       .adam_update = &adam_update<Arch>,
                       .sgd_update = &sgd_update<Arch>},
          .filter = {.block_insert = &block_insert<Arch>,
                     .block_contains = &block_contains<Arch>,
                     .block_contains_batch = &block_contains_batch<Arch>,
                     .mask_positives = &mask_positives<Arch>,
                     .union_of_rows = &union_of_rows<Arch>},
          .probe = {.multiply_add_peak = &multiply_add_peak<Arch>}};
}

}  // namespace bloomnet::kernels
