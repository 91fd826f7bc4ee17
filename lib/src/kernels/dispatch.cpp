// The runtime dispatch point: the only file that knows which architectures the library is built
// for (kernel_set_of.hpp lists them) and which of them this CPU runs.
#include <xsimd/xsimd.hpp>

#include "bloomnet/kernels.hpp"
#include "kernel_set_of.hpp"

namespace bloomnet {

const KernelSet& simd_kernels() {
  static const KernelSet best = xsimd::dispatch<kernels::SimdArchs>(kernels::KernelSetOf{})();
  return best;
}

std::vector<const KernelSet*> runnable_simd_kernels() {
  static const std::vector<KernelSet> runnable = [] {
    const auto cpu = xsimd::available_architectures();
    std::vector<KernelSet> sets;
    const kernels::KernelSetOf of;
    if (cpu.avx512bw && cpu.avx512dq && cpu.avx512cd && cpu.fma3_avx2) {
      sets.push_back(of(xsimd::avx512bw{}));
    }
    if (cpu.fma3_avx2) sets.push_back(of(xsimd::fma3<xsimd::avx2>{}));
    sets.push_back(of(xsimd::sse2{}));
    return sets;
  }();
  std::vector<const KernelSet*> out;
  out.reserve(runnable.size());
  for (const KernelSet& set : runnable) out.push_back(&set);
  return out;
}

}  // namespace bloomnet
