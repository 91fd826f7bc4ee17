// bloomnet compile: turns a network into the bit-packed filter of its own hashes (H^ read off
// W_in, SPEC section 5) as a compiled filter (one bit mask per token), saves it, and measures on
// held-out sets how often the filter's positives equal the network's P(S) and how much faster it
// answers a whole-vocabulary query.
#include <bit>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>

#include "bloomnet/analysis.hpp"
#include "bloomnet/atomic_file.hpp"
#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"

namespace bloomnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The net's positive sets P(S) = {t : z_t >= max z - ln 2} of every set, by batched forward passes.
std::vector<Bitset> network_positives(const Network& net, const TokenBatch& sets) {
  constexpr size_t kBatch = 256;
  const size_t V = net.V();
  std::vector<Bitset> out(sets.size());
  TokenBatch batch;
  Activations act;
  for (size_t first = 0; first < sets.size(); first += kBatch) {
    batch.clear();
    const size_t B = std::min(kBatch, sets.size() - first);
    for (size_t b = 0; b < B; ++b) batch.add(sets.set(first + b));
    forward(net, batch, act);
#pragma omp parallel for schedule(static)
    for (long b = 0; b < static_cast<long>(B); ++b) {
      const float* z = act.z.data() + b * V;
      const double floor = positive_floor(z, V);
      Bitset positives(V);
      for (size_t t = 0; t < V; ++t) {
        if (static_cast<double>(z[t]) >= floor) positives.set(t);
      }
      out[first + b] = std::move(positives);
    }
  }
  return out;
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

nlohmann::json compile_network(const Network& net, size_t k, size_t sets, uint64_t seed,
                               const std::string& out) {
  const Modes modes = two_means(net.W_in());
  const CompiledFilter filter(extract_hashes(net, modes));
  if (!out.empty()) {
    save_compiled_filter(out, filter, {{"source", "compiled from a network's W_in modes"}});
  }
  TokenBatch held_out;
  TaskSampler({net.V(), k, 0, 0.0}, seed).sample(0, sets, held_out);
  std::vector<Bitset> by_net, by_filter;
  const double net_seconds = time_per_call([&] { by_net = network_positives(net, held_out); });
  const double filter_seconds =
      time_per_call([&] { by_filter = filter_positives(filter, held_out); });
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
  return {
      {"V", net.V()},
      {"m", filter.m()},
      {"hash_count_mean", static_cast<double>(modes.hash_entries) / static_cast<double>(net.V())},
      {"filter_bytes", filter.masks().size() * sizeof(uint64_t)},
      {"k", k},
      {"sets", sets},
      {"agreement_exact_match", exact / n},
      {"agreement_jaccard", jaccard / n},
      {"network_ns_per_query", 1e9 * net_seconds / n},
      {"filter_ns_per_query", 1e9 * filter_seconds / n},
      {"speedup", net_seconds / filter_seconds},
      {"kernels", simd_kernels().name}};
}

void add_compile_command(CLI::App& app) {
  struct Options {
    std::string weights, out;
    size_t k = 0, sets = 4096, threads = 0;
    uint64_t seed = 1;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "compile", "Compile a network into the bit-packed Bloom filter of its hashes");
  cmd->add_option("--weights", options->weights, "Weights file (safetensors)")->required();
  cmd->add_option("--out", options->out, "Compiled filter file to write (safetensors)")->required();
  add_unsigned(cmd, "--k", options->k, "Set size k of the held-out queries")->required();
  add_unsigned(cmd, "--sets", options->sets, "Held-out sets")->capture_default_str();
  add_unsigned(cmd, "--seed", options->seed, "Seed of the held-out sets")->capture_default_str();
  add_unsigned(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    require_writable(options->out);
    const WeightsFile file = load_weights(options->weights);
    require(options->k >= 1 && options->k <= file.net.V(),
            "k = " + std::to_string(options->k) +
                " must lie in [1, V = " + std::to_string(file.net.V()) + "]");
    require(options->sets >= 1, "compile needs at least one held-out set (--sets 0)");
    nlohmann::json summary =
        compile_network(file.net, options->k, options->sets, options->seed, options->out);
    summary["weights"] = options->weights;
    summary["out"] = options->out;
    std::cout << summary.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
