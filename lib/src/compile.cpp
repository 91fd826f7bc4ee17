#include "bloomnet/compile.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <memory>

#include "bloomnet/analysis.hpp"
#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/statistics.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<Bitset> filter_positives(const CompiledFilter& filter, const TokenBatch& sets) {
  std::vector<Bitset> out(sets.size());
#pragma omp parallel for schedule(static)
  for (long b = 0; b < static_cast<long>(sets.size()); ++b) out[b] = filter.positives(sets.set(b));
  return out;
}

// Seconds per call of `run`, repeated until a quarter of a second has passed.
template <class F>
double time_per_call(F run) {
  size_t calls = 0;
  const auto start = Clock::now();
  do {
    run();
    ++calls;
  } while (seconds_since(start) < 0.25);
  return seconds_since(start) / static_cast<double>(calls);
}

}  // namespace

CompiledNetwork compile_network(const Network& net, size_t k, size_t sets, uint64_t seed,
                                const KernelSet& kernels) {
  require(k >= 1 && k <= net.V(),
          "k = " + std::to_string(k) + " must lie in [1, V = " + std::to_string(net.V()) + "]");
  require(sets >= 1, "compile needs at least one held-out set (--sets 0)");
  const Modes modes = two_means(net.W_in());
  CompiledNetwork out{
      .filter = CompiledFilter(extract_hashes(net, modes), kernels),
      .hash_count_mean = static_cast<double>(modes.hash_entries) / static_cast<double>(net.V()),
      .k = k,
      .sets = sets,
      .kernels = kernels.name};
  TokenBatch held_out;
  TaskSampler({net.V(), k, 0, 0.0}, seed).sample(0, sets, held_out);
  std::vector<Bitset> by_net, by_filter;
  const double net_seconds = time_per_call([&] { by_net = positive_sets(net, held_out, kernels); });
  const double filter_seconds =
      time_per_call([&] { by_filter = filter_positives(out.filter, held_out); });
  double exact = 0, jaccard = 0, jaccard_square = 0;
  for (size_t s = 0; s < sets; ++s) {
    size_t both = 0, either = 0;
    for (size_t w = 0; w < by_net[s].words().size(); ++w) {
      const uint64_t a = by_net[s].words()[w], b = by_filter[s].words()[w];
      both += static_cast<size_t>(std::popcount(a & b));
      either += static_cast<size_t>(std::popcount(a | b));
    }
    exact += both == either;
    const double j = either ? static_cast<double>(both) / static_cast<double>(either) : 1.0;
    jaccard += j;
    jaccard_square += j * j;
  }
  const auto n = static_cast<double>(sets);
  out.agreement_exact_match = mean_and_error(exact, exact, sets);  // 0s and 1s: x^2 = x
  out.agreement_jaccard = mean_and_error(jaccard, jaccard_square, sets);
  out.network_ns_per_query = 1e9 * net_seconds / n;
  out.filter_ns_per_query = 1e9 * filter_seconds / n;
  out.speedup = net_seconds / filter_seconds;
  return out;
}

std::vector<FrontierPoint> measure_frontier(const Network& trained, size_t h, uint64_t family_seed,
                                            size_t k, size_t sets) {
  const size_t V = trained.V(), d = trained.d();
  TokenBatch held_out;
  TaskSampler({V, k, 0, 0.0}, 1).sample(0, sets, held_out);
  const auto n = static_cast<double>(sets);
  auto ns = [&](double seconds) { return 1e9 * seconds / n; };
  // The FPR of a list of positive sets (their tokens outside S over V - k), with its 95%
  // interval over the sets.
  auto fpr_of = [&](const std::vector<Bitset>& positives) {
    double sum = 0, square = 0, events = 0;
    const double outside_S = static_cast<double>(V) - static_cast<double>(k);
    for (size_t s = 0; s < sets; ++s) {
      const std::span<const uint32_t> S = held_out.set(s);
      size_t outside = positives[s].count();
      for (uint32_t t : S) outside -= positives[s].test(t) ? 1 : 0;
      const double f = static_cast<double>(outside) / outside_S;
      sum += f;
      square += f * f;
      events += static_cast<double>(outside);
    }
    const Estimate e = mean_and_error(sum, square, sets);
    return Measured{e.mean, rate_interval(e.mean, e.se, events, n * outside_S)};
  };
  const double float_net_bytes = 4.0 * static_cast<double>(trained.params().size());
  std::vector<FrontierPoint> out;

  std::vector<Bitset> by_trained, by_compiled;
  const CompiledFilter compiled(extract_hashes(trained, two_means(trained.W_in())));
  const double trained_seconds =
      time_per_call([&] { by_trained = positive_sets(trained, held_out); });
  const double compiled_seconds =
      time_per_call([&] { by_compiled = filter_positives(compiled, held_out); });
  out.push_back({"trained net", d, float_net_bytes, ns(trained_seconds), fpr_of(by_trained)});
  // The masks (to build F(S)) and the per-bit rows (to answer).
  const size_t row_words = (V + 63) / 64;
  const double compiled_bytes = 8.0 * static_cast<double>(V * compiled.words() + d * row_words);
  out.push_back({"compiled filter", d, compiled_bytes, ns(compiled_seconds), fpr_of(by_compiled)});

  const auto family = std::make_shared<const HashFamily>(V, d, h, family_seed);
  const Network exact = construct_exact(*family, 20.0f);
  std::vector<Bitset> by_exact, by_filter(sets);
  const double exact_seconds = time_per_call([&] { by_exact = positive_sets(exact, held_out); });
  const double filter_seconds = time_per_call([&] {
#pragma omp parallel for schedule(static)
    for (long s = 0; s < static_cast<long>(sets); ++s) {
      BloomFilter filter(family);
      filter.insert(held_out.set(s));
      by_filter[s] = filter.positives();
    }
  });
  out.push_back({"exact net", d, 4.0 * static_cast<double>(exact.params().size()),
                 ns(exact_seconds), fpr_of(by_exact)});
  // The bits, and the positions of every token's hash (what BloomFilter reads).
  const double filter_bytes = static_cast<double>(d) / 8 + 4.0 * static_cast<double>(V * h);
  out.push_back({"Bloom filter", d, filter_bytes, ns(filter_seconds), fpr_of(by_filter)});
  return out;
}

std::string frontier_csv(const std::vector<FrontierPoint>& points) {
  std::string csv = "representation,d,bytes,ns_per_query,fpr,fpr_lo,fpr_hi\n";
  for (const FrontierPoint& p : points) {
    char row[256];
    std::snprintf(row, sizeof row, "%s,%zu,%.6g,%.6g,%.6g,%.6g,%.6g\n", p.representation.c_str(),
                  p.d, p.bytes, p.ns_per_query, p.fpr.value, p.fpr.ci.lo, p.fpr.ci.hi);
    csv += row;
  }
  return csv;
}

}  // namespace bloomnet
