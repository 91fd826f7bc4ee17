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
  const double net_fp = static_cast<double>(positives) - recalled;

  SetMetrics out{.mse = mse,
                 .ce = ce,
                 .topk_exact = false_positives == 0.0 ? 1.0 : 0.0,
                 .false_positives = false_positives,
                 .recall = recalled / k,
                 .fpr = outside > 0 ? net_fp / outside : 0.0,
                 .filter_agreement = 0,
                 .filter_jaccard = 0,
                 .filter_fpr = 0,
                 .oracle_agreement = 0,
                 .oracle_jaccard = 0,
                 .filter_false_positives = 0,
                 .net_false_positives = net_fp,
                 .shared_false_positives = 0};
  if (filter == nullptr) return out;
  // S is increasing: walk it beside t to tell members from false positives.
  const Bitset expected = filter->positives();
  size_t both = 0, either = 0, shared = 0, next = 0;
  for (size_t t = 0; t < V; ++t) {
    const bool member = next < S.size() && S[next] == t;
    next += member;
    const bool by_net = static_cast<double>(z[t]) >= positive_floor;
    const bool by_filter = expected.test(t);
    both += by_net && by_filter;
    either += by_net || by_filter;
    shared += !member && by_net && by_filter;
  }
  const double filter_fp = static_cast<double>(expected.count()) - k;
  out.filter_agreement = both == either ? 1.0 : 0.0;
  out.filter_jaccard = either > 0 ? static_cast<double>(both) / static_cast<double>(either) : 1.0;
  out.filter_fpr = outside > 0 ? filter_fp / outside : 0.0;
  out.oracle_agreement = filter_fp == 0 ? 1.0 : 0.0;
  out.oracle_jaccard = k > 0 ? k / (k + filter_fp) : 1.0;
  out.filter_false_positives = filter_fp;
  out.shared_false_positives = static_cast<double>(shared);
  return out;
}

double positive_floor(const float* z, size_t V) {
  return static_cast<double>(*std::max_element(z, z + V)) - std::numbers::ln2;
}

namespace {

// Every field of SetMetrics, for sums and sums of squares.
constexpr double SetMetrics::*kFields[] = {&SetMetrics::mse,
                                           &SetMetrics::ce,
                                           &SetMetrics::topk_exact,
                                           &SetMetrics::false_positives,
                                           &SetMetrics::recall,
                                           &SetMetrics::fpr,
                                           &SetMetrics::filter_agreement,
                                           &SetMetrics::filter_jaccard,
                                           &SetMetrics::filter_fpr,
                                           &SetMetrics::oracle_agreement,
                                           &SetMetrics::oracle_jaccard,
                                           &SetMetrics::filter_false_positives,
                                           &SetMetrics::net_false_positives,
                                           &SetMetrics::shared_false_positives};

}  // namespace

Estimate mean_and_error(double sum, double square, size_t n) {
  const auto count = static_cast<double>(n);
  const double mean = sum / count;
  if (n < 2) return {mean, NAN};
  const double variance = std::max(0.0, square / count - mean * mean) * count / (count - 1);
  return {mean, std::sqrt(variance / count)};
}

namespace {

// The ratio sum(b) / sum(f) of two per-set counts and its delta-method standard error:
// Var(b - R f) / (n mean(f)^2). NaN when f never happened.
Estimate ratio(double b, double b2, double f, double f2, double bf, size_t n) {
  const auto count = static_cast<double>(n);
  if (f <= 0) return {NAN, NAN};
  const double r = b / f;
  if (n < 2) return {r, NAN};
  const double residual = std::max(0.0, (b2 - 2 * r * bf + r * r * f2) / count);
  return {r, std::sqrt(residual / (count - 1)) / (f / count)};
}

}  // namespace

void MetricsSum::add(const SetMetrics& s) {
  ++sets_;
  for (const auto field : kFields) {
    sum_.*field += s.*field;
    square_.*field += s.*field * s.*field;
  }
  shared_times_filter_ += s.shared_false_positives * s.filter_false_positives;
  shared_times_net_ += s.shared_false_positives * s.net_false_positives;
}

Metrics MetricsSum::mean(bool with_filter) const {
  auto of = [&](double SetMetrics::*field) {
    return mean_and_error(sum_.*field, square_.*field, sets_);
  };
  const Estimate mse = of(&SetMetrics::mse), ce = of(&SetMetrics::ce),
                 topk = of(&SetMetrics::topk_exact), fp = of(&SetMetrics::false_positives),
                 recall = of(&SetMetrics::recall), fpr = of(&SetMetrics::fpr);
  Metrics out{.sets = sets_,
              .mse = mse.mean,
              .ce = ce.mean,
              .topk_exact = topk.mean,
              .false_positives_mean = fp.mean,
              .recall = recall.mean,
              .fpr_measured = fpr.mean,
              .mse_se = mse.se,
              .ce_se = ce.se,
              .topk_exact_se = topk.se,
              .false_positives_se = fp.se,
              .recall_se = recall.se,
              .fpr_se = fpr.se,
              .false_positive_events = sum_.false_positives,
              .filter = std::nullopt};
  if (with_filter) {
    const double shared = sum_.shared_false_positives, shared2 = square_.shared_false_positives;
    out.filter = FilterAgreement{
        .exact_match = of(&SetMetrics::filter_agreement),
        .jaccard = of(&SetMetrics::filter_jaccard),
        .fpr = of(&SetMetrics::filter_fpr),
        .oracle_exact_match = of(&SetMetrics::oracle_agreement),
        .oracle_jaccard = of(&SetMetrics::oracle_jaccard),
        .net_fp_given_filter_fp =
            ratio(shared, shared2, sum_.filter_false_positives, square_.filter_false_positives,
                  shared_times_filter_, sets_),
        .filter_fp_given_net_fp = ratio(shared, shared2, sum_.net_false_positives,
                                        square_.net_false_positives, shared_times_net_, sets_)};
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
  const TaskSampler sampler({V, config.k, config.k_max, config.zipf}, config.seed, config.purpose);
  require(config.sets >= 1, "evaluation needs at least one set");
  require(config.batch >= 1, "evaluation batches need at least one set");
  require(reference == nullptr || reference->V() == V,
          "the reference hash family covers " + std::to_string(reference ? reference->V() : 0) +
              " tokens, the network " + std::to_string(V));
  const size_t most = std::max(config.sets, config.max_sets);

  // Sums in set order, batch after batch: the same bits for any thread count, in memory bounded
  // by the batch. Rounds of sets double until enough false positives were seen.
  MetricsSum sum;
  std::vector<SetMetrics> per_set(std::min(config.batch, most));
  TokenBatch batch;
  Activations act;
  size_t target = config.sets;
  while (sum.sets() < target) {
    const size_t first = sum.sets();
    const size_t B = std::min(config.batch, target - first);
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
    if (sum.sets() == target && target < most &&
        sum.false_positives() < static_cast<double>(config.min_false_positives)) {
      target = std::min(most, 2 * target);
    }
    if (config.progress) config.progress(sum.sets(), target);
  }
  return sum.mean(reference != nullptr);
}

}  // namespace bloomnet
