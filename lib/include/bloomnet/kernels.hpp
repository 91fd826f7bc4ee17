// The numeric kernels of the network, as tables of function pointers: one table per instruction
// set, all computing the same thing. The SIMD tables come from one generic xsimd implementation
// (src/kernels/simd_kernels.hpp) built once per architecture; src/kernels/dispatch.cpp is the only
// place that knows which architectures exist and picks the best the CPU runs. The scalar table
// (src/kernels/scalar_kernels.cpp) is the plain reference every SIMD kernel is tested against
// (proptests/kernels_props.cpp).
//
// Letters: B = sets in the batch, d = hidden width, V = vocabulary size.
// Kernels are single-threaded; callers split rows or tokens among threads.
//
// Thread safety: the tables are immutable; kernels share no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bloomnet {

struct KernelSet {
  const char* name;

  // hidden: (B, d) = ReLU(b_in + sum of W_in[t, :] over the tokens t of set b), summed left to
  // right in set order, so every instruction set gives the same bits. W_in: (V, d)
  // token-contiguous; b_in: (d); sets in CSR form: set b is tokens[offsets[b], offsets[b + 1]).
  void (*hidden_forward)(const float* W_in, const float* b_in, const uint32_t* tokens,
                         const uint32_t* offsets, size_t B, size_t d, float* hidden);

  // z[b, t] = fma-chain b_out[t] + hidden[b, 0] W_outT[0, t] + ... + hidden[b, d-1] W_outT[d-1, t]
  // for t in [t0, t1): one fused multiply-add per j, in increasing j (unfused where the
  // instruction set has no FMA).
  // hidden: (B, d); W_outT: (d, V), W_out transposed; b_out: (V); z: (B, V), row-major.
  void (*output_forward)(const float* hidden, const float* W_outT, const float* b_out, size_t B,
                         size_t d, size_t V, size_t t0, size_t t1, float* z);

  // p[b, :] = softmax(z[b, :]), stable: exp(z - max z) / sum. z, p: (B, V). Agrees with the
  // scalar twin to a few ulp (exp and the summation order differ).
  void (*softmax)(const float* z, size_t B, size_t V, float* p);
};

// The best SIMD kernels this CPU runs: the runtime dispatch point.
const KernelSet& simd_kernels();
// The scalar references.
const KernelSet& scalar_kernels();
// Every SIMD kernel set built into the library that this CPU runs, best first.
std::vector<const KernelSet*> runnable_simd_kernels();

}  // namespace bloomnet
