#include "bloomnet/analysis.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <memory>
#include <numbers>
#include <numeric>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/random.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {
namespace {

// The seed of the random family every reading compares with: fixed, so readings are reproducible.
constexpr uint64_t kRandomFilterSeed = 0x5eed;

}  // namespace

bool Modes::is_hash(float value) const {
  return std::abs(value - hash) < std::abs(value - background);
}

Modes two_means(std::span<const float> values) {
  const size_t n = values.size();
  require(n >= 2, "2-means needs at least two values");
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  require(std::isfinite(sorted.front()) && std::isfinite(sorted.back()),
          "2-means needs finite values");
  const double total = std::accumulate(sorted.begin(), sorted.end(), 0.0);
  // Splitting after i values leaves a within-cluster sum of squares of
  // sum v^2 - L^2 / i - R^2 / (n - i), so the best split maximizes L^2 / i + R^2 / (n - i).
  double left = 0.0, best_score = -1.0;
  size_t best = 1;
  for (size_t i = 1; i < n; ++i) {
    left += sorted[i - 1];
    const double right = total - left;
    const double score =
        left * left / static_cast<double>(i) + right * right / static_cast<double>(n - i);
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  const double left_total = std::accumulate(sorted.begin(), sorted.begin() + best, 0.0);
  const double low = left_total / static_cast<double>(best);
  const double high = (total - left_total) / static_cast<double>(n - best);
  const bool low_is_background = best >= n - best;
  Modes modes;
  modes.background = low_is_background ? low : high;
  modes.hash = low_is_background ? high : low;
  const double snap = 0.1 * std::abs(modes.hash - modes.background);
  size_t snapped = 0;
  for (float v : values) {
    const bool hash = modes.is_hash(v);
    modes.hash_entries += hash;
    snapped += std::abs(v - (hash ? modes.hash : modes.background)) <= snap;
  }
  modes.snap_fraction = static_cast<double>(snapped) / static_cast<double>(n);
  return modes;
}

Histogram histogram(std::span<const float> values, size_t bins) {
  require(bins >= 1, "a histogram needs at least one bin");
  require(!values.empty(), "a histogram needs at least one value");
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  require(std::isfinite(*lo) && std::isfinite(*hi), "a histogram needs finite values");
  Histogram out{*lo, *hi, std::vector<size_t>(bins, 0)};
  const double width = (out.hi - out.lo) / static_cast<double>(bins);
  for (float v : values) {
    const size_t bin = width > 0 ? static_cast<size_t>((v - out.lo) / width) : 0;
    ++out.counts[std::min(bin, bins - 1)];
  }
  return out;
}

HashFamily extract_hashes(const Network& net, const Modes& modes) {
  const size_t V = net.V(), d = net.d();
  std::vector<std::vector<uint32_t>> positions(V);
  const std::span<const float> W_in = net.W_in();
  for (size_t t = 0; t < V; ++t) {
    for (size_t j = 0; j < d; ++j) {
      if (modes.is_hash(W_in[t * d + j])) positions[t].push_back(static_cast<uint32_t>(j));
    }
  }
  return HashFamily::from_positions(d, positions);
}

ExactForm learned_form(const Modes& modes) {
  return modes.hash > modes.background ? ExactForm::kUnion : ExactForm::kComplement;
}

UnionMatch match_union(const Network& net, const HashFamily& hashes, const EvalConfig& config,
                       const KernelSet& kernels) {
  const size_t d = net.d();
  require(hashes.m() == d && hashes.V() == net.V(),
          "the hash family must have m = d and the network's vocabulary");
  require(config.sets >= 1 && config.batch >= 1, "the union match needs at least one set");
  const TaskSampler sampler({net.V(), config.k, config.k_max, config.zipf}, config.seed);

  struct Pair {
    float activation;
    bool in_union;
  };
  std::vector<Pair> pairs(config.sets * d);
  TokenBatch batch;
  Activations act;
  for (size_t first = 0; first < config.sets; first += config.batch) {
    const size_t B = std::min(config.batch, config.sets - first);
    sampler.sample(first, B, batch);
    forward(net, batch, act, kernels);
    for (size_t b = 0; b < B; ++b) {
      Pair* out = pairs.data() + (first + b) * d;
      for (size_t j = 0; j < d; ++j) out[j] = {act.hidden[b * d + j], false};
      for (uint32_t s : batch.set(b)) {
        for (uint32_t j : hashes.positions(s)) out[j].in_union = true;
      }
    }
    if (config.progress) config.progress(first + B, config.sets);
  }

  // Pearson correlation from sums, then the best cut of the activations in increasing order.
  const auto n = static_cast<double>(pairs.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Pair& p : pairs) {
    sx += p.activation;
    sy += p.in_union;
    sxx += static_cast<double>(p.activation) * p.activation;
    sxy += p.in_union ? p.activation : 0.0;
  }
  const double cov = sxy / n - (sx / n) * (sy / n);
  const double var_x = sxx / n - (sx / n) * (sx / n);
  const double var_y = sy / n - (sy / n) * (sy / n);
  UnionMatch match;
  match.correlation = var_x > 0 && var_y > 0 ? cov / std::sqrt(var_x * var_y) : 0.0;

  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& a, const Pair& b) { return a.activation < b.activation; });
  const auto ones = static_cast<size_t>(sy);
  const size_t zeros = pairs.size() - ones;
  size_t ones_below = 0, zeros_below = 0;
  auto consider = [&](size_t cut) {
    // Above the cut means "in the union" (fires_on_union), or below it means so.
    const size_t fires = zeros_below + (ones - ones_below);
    const size_t silences = ones_below + (zeros - zeros_below);
    const double threshold = cut == 0 ? pairs.front().activation - 0.5
                             : cut == pairs.size()
                                 ? pairs.back().activation + 0.5
                                 : 0.5 * (pairs[cut - 1].activation + pairs[cut].activation);
    for (const auto& [correct, fires_on_union] : {std::pair{fires, true}, {silences, false}}) {
      const double accuracy = static_cast<double>(correct) / n;
      if (accuracy > match.accuracy)
        match = {accuracy, threshold, fires_on_union, match.correlation};
    }
  };
  consider(0);
  for (size_t i = 0; i < pairs.size();) {
    // Equal activations fall on the same side of any threshold.
    size_t end = i;
    while (end < pairs.size() && pairs[end].activation == pairs[i].activation) {
      ones_below += pairs[end].in_union;
      zeros_below += !pairs[end].in_union;
      ++end;
    }
    consider(end);
    i = end;
  }
  return match;
}

HashFamily random_family_like(const HashFamily& like, uint64_t seed) {
  std::vector<std::vector<uint32_t>> positions(like.V());
  for (size_t t = 0; t < like.V(); ++t) {
    CounterRng rng(seed, Purpose::kRandomFamily, t);
    positions[t].resize(like.positions(static_cast<uint32_t>(t)).size());
    sample_distinct(rng, static_cast<uint32_t>(like.m()), positions[t]);
  }
  return HashFamily::from_positions(like.m(), positions);
}

FilterComparison compare_filters(const HashFamily& reference, const HashFamily& other,
                                 const EvalConfig& config) {
  const size_t V = reference.V();
  require(other.V() == V, "filters over different vocabularies cannot be compared");
  require(config.sets >= 1, "comparing filters needs at least one set");
  const TaskSampler sampler({V, config.k, config.k_max, config.zipf}, config.seed);
  const auto reference_family = std::make_shared<const HashFamily>(reference);
  const auto other_family = std::make_shared<const HashFamily>(other);
  TokenBatch sets;
  sampler.sample(0, config.sets, sets);
  // Per set: other's FPR, the Jaccard, equality. Summed in set order afterwards.
  std::vector<std::array<double, 3>> per_set(config.sets);
#pragma omp parallel for schedule(static)
  for (long s = 0; s < static_cast<long>(config.sets); ++s) {
    BloomFilter a(reference_family), b(other_family);
    a.insert(sets.set(s));
    b.insert(sets.set(s));
    const Bitset pa = a.positives(), pb = b.positives();
    size_t both = 0, either = 0;
    for (size_t w = 0; w < pa.words().size(); ++w) {
      both += static_cast<size_t>(std::popcount(pa.words()[w] & pb.words()[w]));
      either += static_cast<size_t>(std::popcount(pa.words()[w] | pb.words()[w]));
    }
    const auto k = static_cast<double>(sets.set(s).size());
    per_set[s] = {(static_cast<double>(pb.count()) - k) / (static_cast<double>(V) - k),
                  either ? static_cast<double>(both) / static_cast<double>(either) : 1.0,
                  both == either ? 1.0 : 0.0};
  }
  std::array<double, 3> sum{}, square{};
  for (const auto& values : per_set) {
    for (size_t i = 0; i < 3; ++i) {
      sum[i] += values[i];
      square[i] += values[i] * values[i];
    }
  }
  return {mean_and_error(sum[0], square[0], config.sets),
          mean_and_error(sum[1], square[1], config.sets),
          mean_and_error(sum[2], square[2], config.sets)};
}

NetworkReading read_network(const Network& net, const EvalConfig& config,
                            const KernelSet& kernels) {
  require(
      config.k >= 1 && config.k <= net.V(),
      "k = " + std::to_string(config.k) + " must lie in [1, V = " + std::to_string(net.V()) + "]");
  const Modes modes = two_means(net.W_in());
  auto hashes = std::make_shared<const HashFamily>(extract_hashes(net, modes));
  std::vector<size_t> counts(net.V());
  for (size_t t = 0; t < net.V(); ++t)
    counts[t] = hashes->positions(static_cast<uint32_t>(t)).size();
  const double mean =
      std::accumulate(counts.begin(), counts.end(), 0.0) / static_cast<double>(net.V());
  const size_t theory_hashes = std::max<size_t>(1, static_cast<size_t>(std::lround(mean)));
  const Metrics metrics = evaluate(net, config, hashes, kernels);
  return {.modes = modes,
          .form = learned_form(modes),
          .hashes = *hashes,
          .hash_counts = std::move(counts),
          .hash_count_mean = mean,
          .hash_count_optimum =
              static_cast<double>(net.d()) / static_cast<double>(config.k) * std::numbers::ln2,
          .union_match = match_union(net, *hashes, config, kernels),
          .metrics = metrics,
          .random_filter =
              compare_filters(*hashes, random_family_like(*hashes, kRandomFilterSeed), config),
          .theory_hashes = theory_hashes,
          .fpr_theory = fpr_theory(net.d(), std::min(theory_hashes, net.d()), config.k)};
}

}  // namespace bloomnet
