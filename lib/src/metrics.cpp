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
namespace {

struct SetMetrics {
  double mse, ce, topk_exact, false_positives, recall, fpr, filter_agreement;
};

// Metrics of one set from its logits z and probabilities p, both (V).
SetMetrics set_metrics(std::span<const uint32_t> S, const float* z, const float* p, size_t V,
                       const BloomFilter* filter) {
  const double k = static_cast<double>(S.size());
  const size_t argmax = static_cast<size_t>(std::max_element(z, z + V) - z);
  const float zmax = z[argmax];
  // log p_t = (z_t - zmax) + log p_argmax: stays finite where p_t underflows to zero.
  const double log_pmax = std::log(static_cast<double>(p[argmax]));
  // P(S) = {t : p_t >= p_max / 2} = {t : z_t >= zmax - ln 2}.
  const double positive_floor = static_cast<double>(zmax) - std::numbers::ln2;

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

  double agreement = 0.0;
  if (filter != nullptr) {
    const Bitset expected = filter->positives();
    agreement = 1.0;
    for (size_t t = 0; t < V && agreement == 1.0; ++t) {
      if (expected.test(t) != (static_cast<double>(z[t]) >= positive_floor)) agreement = 0.0;
    }
  }
  return {mse,
          ce,
          false_positives == 0.0 ? 1.0 : 0.0,
          false_positives,
          recalled / k,
          outside > 0 ? (static_cast<double>(positives) - recalled) / outside : 0.0,
          agreement};
}

}  // namespace

Metrics evaluate(const Network& net, const EvalConfig& config,
                 std::shared_ptr<const HashFamily> reference, const KernelSet& kernels) {
  const size_t V = net.V();
  const TaskSampler sampler({V, config.k, config.k_max, config.zipf}, config.seed);
  require(config.sets >= 1, "evaluation needs at least one set");
  require(config.batch >= 1, "evaluation batches need at least one set");
  require(reference == nullptr || reference->V() == V,
          "the reference hash family covers " + std::to_string(reference ? reference->V() : 0) +
              " tokens, the network " + std::to_string(V));

  // Sums in set order, batch after batch: the same bits for any thread count, in memory bounded
  // by the batch.
  Metrics out;
  out.sets = config.sets;
  double agreement = 0.0;
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
      per_set[b] = set_metrics(batch.set(b), act.z.data() + b * V, act.p.data() + b * V, V,
                               filter ? &*filter : nullptr);
    }
    for (size_t b = 0; b < B; ++b) {
      const SetMetrics& s = per_set[b];
      out.mse += s.mse;
      out.ce += s.ce;
      out.topk_exact += s.topk_exact;
      out.false_positives_mean += s.false_positives;
      out.recall += s.recall;
      out.fpr_measured += s.fpr;
      agreement += s.filter_agreement;
    }
    if (config.progress) config.progress(first + B, config.sets);
  }
  const auto n = static_cast<double>(config.sets);
  out.mse /= n;
  out.ce /= n;
  out.topk_exact /= n;
  out.false_positives_mean /= n;
  out.recall /= n;
  out.fpr_measured /= n;
  if (reference) out.filter_agreement = agreement / n;
  return out;
}

}  // namespace bloomnet
