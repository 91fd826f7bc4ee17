// Compiling a network into the bit-packed filter of its own hashes (SPEC section 5: H^ read off
// the modes of W_in, as a CompiledFilter), and measuring the result against the network on
// held-out sets: how often the filter's positives equal the network's P(S), and how long a
// whole-vocabulary query takes each way.
//
// Thread safety: compile_network is reentrant; it parallelizes inside (OpenMP).
#pragma once

#include <cstddef>
#include <cstdint>

#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/network.hpp"

namespace bloomnet {

struct CompiledNetwork {
  CompiledFilter filter;
  double hash_count_mean = 0;  // mean |H^(t)|
  size_t k = 0, sets = 0;      // the held-out sets measured
  // Sets whose filter positives equal P(S), and the mean Jaccard of the two sets.
  double agreement_exact_match = 0, agreement_jaccard = 0;
  // One whole-vocabulary query, averaged over the held-out sets, timed on the calling thread's
  // team; speedup = network / filter.
  double network_ns_per_query = 0, filter_ns_per_query = 0, speedup = 0;
  const char* kernels = "";  // the kernel set's name
};

// Throws Error unless 1 <= k <= V and sets >= 1. The held-out sets are those of
// evaluate(EvalConfig{.k = k, .sets = sets, .seed = seed}).
CompiledNetwork compile_network(const Network& net, size_t k, size_t sets, uint64_t seed,
                                const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
