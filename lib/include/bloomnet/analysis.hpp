// Reading a trained network as a Bloom filter (SPEC section 5): the modes of W_in, the hashes they
// encode, the form the network learned, whether its hidden layer computes the union of those
// hashes, and whether it behaves like the Bloom filter built from them.
//
// Fixed k hides one shift (adding a constant to W_in and k times less to b_in changes nothing), so
// everything here reads W_in by its two modes, never by its distance from zero.
//
// Thread safety: free functions; read_network parallelizes inside (OpenMP) and its result does not
// depend on the thread count.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "bloomnet/construct.hpp"
#include "bloomnet/hash_family.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/network.hpp"

namespace bloomnet {

// The optimal 2-means split of a set of values: c0 the centre of the larger cluster (the
// background), c1 of the smaller one (the hash bits).
struct Modes {
  double background = 0;     // c0
  double hash = 0;           // c1
  size_t hash_entries = 0;   // values nearer c1 than c0
  double snap_fraction = 0;  // share of values within 10% of |c1 - c0| of their own centre

  bool is_hash(float value) const;
};

// Exact in one dimension: sorts the values and tries every split (Lloyd's iterations could stop
// in a worse local optimum). Requires at least two values; equal values give c0 = c1 and no hash.
Modes two_means(std::span<const float> values);

struct Histogram {
  double lo = 0, hi = 0;  // the range of the values; bins split it evenly
  std::vector<size_t> counts;
};
// The bins of W_in's histogram in a reading's files and in the Python module's compare().
inline constexpr size_t kReadingHistogramBins = 60;
// Requires bins >= 1 and finite values.
Histogram histogram(std::span<const float> values, size_t bins);

// H^(t) = {j : W_in[t, j] nearer c1 than c0}, an explicit family over m = d positions.
HashFamily extract_hashes(const Network& net, const Modes& modes);

// c1 above c0: a token's hash bits raise its neurons (the union form); below: they silence them,
// so a neuron fires when no member hashes to it (the complement-of-union form of section 4).
ExactForm learned_form(const Modes& modes);

// Hidden activations against the union bits of a family over held-out sets: pairs (hidden_j(S),
// [j in the union of H(s), s in S]) for every neuron j and set S.
struct UnionMatch {
  double accuracy = 0;   // the best share of pairs a threshold on hidden_j classifies correctly
  double threshold = 0;  // that threshold, halfway between the activations it separates
  bool fires_on_union =
      true;  // the classifier's direction: hidden_j > threshold means "in the union"
  double correlation =
      0;  // Pearson correlation of activation and union bit (0 if either is constant)
};
// Requires hashes.m() == net.d() and hashes.V() == net.V().
UnionMatch match_union(const Network& net, const HashFamily& hashes, const EvalConfig& config,
                       const KernelSet& kernels = simd_kernels());

// A family over the same m positions giving every token as many positions as `like` does, drawn
// uniformly without repeats from the counter stream (seed, kRandomFamily, t): the random filter of
// the same size and the same per-token hash counts that a learned family is compared with.
HashFamily random_family_like(const HashFamily& like, uint64_t seed);

// The Bloom filter of each held-out set over `other` against its filter over `reference`: other's
// FPR, the Jaccard of their positive sets and the share of sets where they are equal.
struct FilterComparison {
  Estimate fpr;
  Estimate jaccard;
  Estimate exact_match;
};
// Requires both families over config's vocabulary.
FilterComparison compare_filters(const HashFamily& reference, const HashFamily& other,
                                 const EvalConfig& config);

// Everything `bloomnet compare` reports of a network.
struct NetworkReading {
  Modes modes{};
  ExactForm form = ExactForm::kComplement;
  HashFamily hashes;                  // H^
  std::vector<size_t> hash_counts{};  // |H^(t)| per token
  double hash_count_mean = 0;
  double hash_count_optimum = 0;  // (d / k) ln 2, the count minimizing a random filter's FPR
  UnionMatch union_match{};
  // The net on held-out sets, with its agreement against the filter of H^ (metrics.filter).
  Metrics metrics{};
  // A random filter with the same m and per-token hash counts, against the filter of H^.
  FilterComparison random_filter{};
  size_t theory_hashes = 0;  // round(hash_count_mean), at least 1
  double fpr_theory = 0;     // the classic formula with m = d, that h, and k keys
};
NetworkReading read_network(const Network& net, const EvalConfig& config,
                            const KernelSet& kernels = simd_kernels());

}  // namespace bloomnet
