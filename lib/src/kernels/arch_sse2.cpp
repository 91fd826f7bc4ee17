// The kernels built for xsimd::sse2; compiled with that architecture's flags (lib/CMakeLists.txt).
#include "simd_kernels.hpp"

namespace bloomnet::kernels {
template KernelSet KernelSetOf::operator()<xsimd::sse2>(xsimd::sse2) const;
}  // namespace bloomnet::kernels
