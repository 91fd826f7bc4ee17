// The functor that xsimd::dispatch calls: KernelSetOf{}(Arch{}) returns the kernel table built for
// Arch. Each architecture's instantiation lives in its own source file compiled with that
// architecture's flags (arch_*.cpp); the extern declarations keep other files from instantiating
// it with generic flags.
#pragma once

#include <xsimd/xsimd.hpp>

#include "bloomnet/kernels.hpp"

namespace bloomnet::kernels {

struct KernelSetOf {
  template <class Arch>
  KernelSet operator()(Arch) const;
};

using SimdArchs = xsimd::arch_list<xsimd::avx512bw, xsimd::fma3<xsimd::avx2>, xsimd::sse2>;

extern template KernelSet KernelSetOf::operator()<xsimd::avx512bw>(xsimd::avx512bw) const;
extern template KernelSet KernelSetOf::operator()<xsimd::fma3<xsimd::avx2>>(
    xsimd::fma3<xsimd::avx2>) const;
extern template KernelSet KernelSetOf::operator()<xsimd::sse2>(xsimd::sse2) const;

}  // namespace bloomnet::kernels
