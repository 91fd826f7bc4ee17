#include "bloomnet/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {
SetMetrics measure_set(std::span<const uint32_t> S, const float* z, const float* p, size_t V,
                       double positive_floor, const BloomFilter* filter) {
  const double k = static_cast<double>(S.size());
  const size_t argmax = static_cast<size_t>(std::max_element(z, z + V) - z);
  const float zmax = z[argmax];
  // log p_t = (z_t - zmax) + log p_argmax: stays finite where p_t underflows to zero.
  const double log_pmax = std::log(static_cast<double>(p[argmax]));

  double mse = 0.0;
  for (size_t t = 0; t < V; ++t) mse += static_cast<double>(p[t]) * p[t];
  float min_member = INFINITY;
  double ce = 0.0, recalled = 0.0;
  for (uint32_t t : S) {
    mse += (1.0 / k - p[t]) * (1.0 / k - p[t]) - static_cast<double>(p[t]) * p[t];
    ce -= ((static_cast<double>(z[t]) - zmax) + log_pmax) / k;
    min_member = std::min(min_member, z[t]);
    recalled += static_cast<double>(z[t]) >= positive_floor;
  }
  size_t reaching = 0, positives = 0;  // tokens with z >= min over S; tokens in P(S)
  for (size_t t = 0; t < V; ++t) {
    reaching += z[t] >= min_member;
    positives += static_cast<double>(z[t]) >= positive_floor;
  }
  const double false_positives = static_cast<double>(reaching) - k;
  const double outside = static_cast<double>(V) - k;

  size_t both = 0, either = 0, filter_positives = 0;
  if (filter != nullptr) {
    const Bitset expected = filter->positives();
    for (size_t t = 0; t < V; ++t) {
      const bool net_positive = static_cast<double>(z[t]) >= positive_floor;
      both += net_positive && expected.test(t);
      either += net_positive || expected.test(t);
    }
    filter_positives = expected.count();
  }
  return {mse,
          ce,
          false_positives == 0.0 ? 1.0 : 0.0,
          false_positives,
          recalled / k,
          outside > 0 ? (static_cast<double>(positives) - recalled) / outside : 0.0,
          both == either ? 1.0 : 0.0,
          either > 0 ? static_cast<double>(both) / static_cast<double>(either) : 1.0,
          outside > 0 ? (static_cast<double>(filter_positives) - k) / outside : 0.0};
}

double positive_floor(const float* z, size_t V) {
  return static_cast<double>(*std::max_element(z, z + V)) - std::numbers::ln2;
}

void MetricsSum::add(const SetMetrics& s) {
  ++sets_;
  sum_.mse += s.mse;
  sum_.ce += s.ce;
  sum_.topk_exact += s.topk_exact;
  sum_.false_positives += s.false_positives;
  sum_.recall += s.recall;
  sum_.fpr += s.fpr;
  sum_.filter_agreement += s.filter_agreement;
  sum_.filter_jaccard += s.filter_jaccard;
  sum_.filter_fpr += s.filter_fpr;
}

Metrics MetricsSum::mean(bool with_filter) const {
  const auto n = static_cast<double>(sets_);
  Metrics out;
  out.sets = sets_;
  out.mse = sum_.mse / n;
  out.ce = sum_.ce / n;
  out.topk_exact = sum_.topk_exact / n;
  out.false_positives_mean = sum_.false_positives / n;
  out.recall = sum_.recall / n;
  out.fpr_measured = sum_.fpr / n;
  if (with_filter) {
    out.filter_agreement = sum_.filter_agreement / n;
    out.filter_jaccard = sum_.filter_jaccard / n;
    out.filter_fpr = sum_.filter_fpr / n;
  }
  return out;
}

std::vector<Bitset> positive_sets(const Network& net, const TokenBatch& sets,
                                  const KernelSet& kernels) {
  constexpr size_t kBatch = 256;
  const size_t V = net.V();
  std::vector<Bitset> out(sets.size());
  TokenBatch batch;
  Activations act;
  for (size_t first = 0; first < sets.size(); first += kBatch) {
    batch.clear();
    const size_t B = std::min(kBatch, sets.size() - first);
    for (size_t b = 0; b < B; ++b) batch.add(sets.set(first + b));
    forward(net, batch, act, kernels);
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

Metrics evaluate(const Network& net, const EvalConfig& config,
                 const std::shared_ptr<const HashFamily>& reference, const KernelSet& kernels) {
  const size_t V = net.V();
  const TaskSampler sampler({V, config.k, config.k_max, config.zipf}, config.seed);
  require(config.sets >= 1, "evaluation needs at least one set");
  require(config.batch >= 1, "evaluation batches need at least one set");
  require(reference == nullptr || reference->V() == V,
          "the reference hash family covers " + std::to_string(reference ? reference->V() : 0) +
              " tokens, the network " + std::to_string(V));

  // Sums in set order, batch after batch: the same bits for any thread count, in memory bounded
  // by the batch.
  MetricsSum sum;
  std::vector<SetMetrics> per_set(std::min(config.batch, config.sets));
  TokenBatch batch;
  Activations act;
  for (size_t first = 0; first < config.sets; first += config.batch) {
    const size_t B = std::min(config.batch, config.sets - first);
    sampler.sample(first, B, batch);
    forward(net, batch, act, kernels);
#pragma omp parallel for schedule(static) if (B * V > 65536)
    for (long b = 0; b < static_cast<long>(B); ++b) {
      std::optional<BloomFilter> filter;
      if (reference) {
        filter.emplace(reference);
        filter->insert(batch.set(b));
      }
      const float* z = act.z.data() + b * V;
      const double floor = config.positive_logit ? *config.positive_logit : positive_floor(z, V);
      per_set[b] =
          measure_set(batch.set(b), z, act.p.data() + b * V, V, floor, filter ? &*filter : nullptr);
    }
    for (size_t b = 0; b < B; ++b) sum.add(per_set[b]);
    if (config.progress) config.progress(first + B, config.sets);
  }
  return sum.mean(reference != nullptr);
}

}  // namespace bloomnet
