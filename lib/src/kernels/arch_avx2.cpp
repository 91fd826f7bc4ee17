// The kernels built for xsimd::fma3<xsimd::avx2>; compiled with that architecture's flags
// (lib/CMakeLists.txt).
#include "simd_kernels.hpp"

namespace bloomnet::kernels {
template KernelSet KernelSetOf::operator()<xsimd::fma3<xsimd::avx2>>(
    xsimd::fma3<xsimd::avx2>) const;
}  // namespace bloomnet::kernels
