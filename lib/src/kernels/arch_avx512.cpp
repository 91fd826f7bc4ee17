// The kernels built for xsimd::avx512bw; compiled with that architecture's flags
// (lib/CMakeLists.txt).
#include "simd_kernels.hpp"

namespace bloomnet::kernels {
template KernelSet KernelSetOf::operator()<xsimd::avx512bw>(xsimd::avx512bw) const;
}  // namespace bloomnet::kernels
