// Compiling a network into the bit-packed filter of its own hashes (SPEC section 5: H^ read off
// the modes of W_in, as a CompiledFilter), and measuring the result against the network on
// held-out sets: how often the filter's positives equal the network's P(S), and how long a
// whole-vocabulary query takes each way. Beside it, the accuracy/compute frontier: the same
// kind of answer from four representations, each with its memory, query time and FPR.
//
// Thread safety: compile_network and measure_frontier are reentrant; they parallelize inside
// (OpenMP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/statistics.hpp"

namespace bloomnet {

struct CompiledNetwork {
  CompiledFilter filter;
  double hash_count_mean = 0;  // mean |H^(t)|
  size_t k = 0, sets = 0;      // the held-out sets measured
  // Sets whose filter positives equal P(S), and the mean Jaccard of the two sets.
  Estimate agreement_exact_match{}, agreement_jaccard{};
  // One whole-vocabulary query, averaged over the held-out sets, timed on the calling thread's
  // team; speedup = network / filter.
  double network_ns_per_query = 0, filter_ns_per_query = 0, speedup = 0;
  const char* kernels = "";  // the kernel set's name
};

// Throws Error unless 1 <= k <= V and sets >= 1. The held-out sets are those of
// evaluate(EvalConfig{.k = k, .sets = sets, .seed = seed}).
CompiledNetwork compile_network(const Network& net, size_t k, size_t sets, uint64_t seed,
                                const KernelSet& kernels = simd_kernels());

// One representation answering whole-vocabulary queries (every token of V: is it in S?).
struct FrontierPoint {
  std::string representation;  // "trained net", "compiled filter", "exact net", "Bloom filter"
  size_t d = 0;                // hidden width, the filter's m
  double bytes = 0;            // the memory a query reads
  double ns_per_query = 0;     // one whole-vocabulary query, averaged over the held-out sets
  Measured fpr{};              // the FPR of its positive sets, 95% interval over the sets
};

// At the trained net's width d: the trained net (P(S)) and its compiled filter (the filter of
// H^), and for the seeded family (V, m = d, h, family_seed) its exact network (beta 20) and its
// bit-packed Bloom filter, which answer alike and cost differently. On `sets` held-out sets of k
// tokens (seed 1).
std::vector<FrontierPoint> measure_frontier(const Network& trained, size_t h, uint64_t family_seed,
                                            size_t k, size_t sets);

// representation,d,bytes,ns_per_query,fpr,fpr_lo,fpr_hi
std::string frontier_csv(const std::vector<FrontierPoint>& points);

}  // namespace bloomnet
