// The functor that xsimd::dispatch calls: KernelSetOf{}(Arch{}) returns the kernel tables built
// for Arch. The architectures, and the extern declarations of their instantiations, come from the
// generated kernel_archs.hpp (lib/CMakeLists.txt, BLOOMNET_KERNEL_ARCHS).
#pragma once

#include <xsimd/xsimd.hpp>

#include "bloomnet/kernels.hpp"

namespace bloomnet::kernels {

struct KernelSetOf {
  template <class Arch>
  KernelSet operator()(Arch) const;
};

}  // namespace bloomnet::kernels

#include "kernel_archs.hpp"
