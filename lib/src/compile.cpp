#include "bloomnet/compile.hpp"

#include <bit>
#include <chrono>

#include "bloomnet/analysis.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/metrics.hpp"
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
  double exact = 0, jaccard = 0;
  for (size_t s = 0; s < sets; ++s) {
    size_t both = 0, either = 0;
    for (size_t w = 0; w < by_net[s].words().size(); ++w) {
      const uint64_t a = by_net[s].words()[w], b = by_filter[s].words()[w];
      both += static_cast<size_t>(std::popcount(a & b));
      either += static_cast<size_t>(std::popcount(a | b));
    }
    exact += both == either;
    jaccard += either ? static_cast<double>(both) / static_cast<double>(either) : 1.0;
  }
  const auto n = static_cast<double>(sets);
  out.agreement_exact_match = exact / n;
  out.agreement_jaccard = jaccard / n;
  out.network_ns_per_query = 1e9 * net_seconds / n;
  out.filter_ns_per_query = 1e9 * filter_seconds / n;
  out.speedup = net_seconds / filter_seconds;
  return out;
}

}  // namespace bloomnet
