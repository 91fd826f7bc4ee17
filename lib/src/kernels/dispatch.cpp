// The runtime dispatch point: picks, among the architectures the library is built for
// (SimdArchs, generated from BLOOMNET_KERNEL_ARCHS), the best this CPU runs.
#include <xsimd/xsimd.hpp>

#include "bloomnet/kernels.hpp"
#include "kernels/kernel_set_of.hpp"

namespace bloomnet {
namespace {

// xsimd::dispatch's own rule: an architecture runs when its version is at most the best one the
// CPU supports, so this list and simd_kernels() always agree.
template <class... Archs>
std::vector<KernelSet> runnable_sets(xsimd::arch_list<Archs...>) {
  const unsigned best = xsimd::available_architectures().best;
  std::vector<KernelSet> sets;
  ((Archs::version() <= best ? sets.push_back(kernels::KernelSetOf{}(Archs{})) : void()), ...);
  return sets;
}

}  // namespace

const KernelSet& simd_kernels() {
  static const KernelSet best = xsimd::dispatch<kernels::SimdArchs>(kernels::KernelSetOf{})();
  return best;
}

std::vector<const KernelSet*> runnable_simd_kernels() {
  static const std::vector<KernelSet> runnable = runnable_sets(kernels::SimdArchs{});
  std::vector<const KernelSet*> out;
  out.reserve(runnable.size());
  for (const KernelSet& set : runnable) out.push_back(&set);
  return out;
}

}  // namespace bloomnet
