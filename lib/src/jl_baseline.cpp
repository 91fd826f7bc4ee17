#include "bloomnet/jl_baseline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "bloomnet/error.hpp"
#include "bloomnet/random.hpp"

namespace bloomnet {
namespace {

// The mean eps of softmax(beta y) over the sets whose scores are rows of y.
double mean_mse(const std::vector<float>& y, const TokenBatch& sets, size_t V, double beta) {
  const size_t B = sets.size();
  std::vector<double> per_set(B);
#pragma omp parallel for schedule(static)
  for (long b = 0; b < static_cast<long>(B); ++b) {
    const float* row = y.data() + b * V;
    const double top = beta * *std::max_element(row, row + V);
    double sum = 0.0, squares = 0.0;
    for (size_t t = 0; t < V; ++t) {
      const double e = std::exp(beta * row[t] - top);
      sum += e;
      squares += e * e;
    }
    const std::span<const uint32_t> S = sets.set(b);
    const double q = 1.0 / static_cast<double>(S.size());
    double mse = squares / (sum * sum);
    for (uint32_t s : S) {
      const double p = std::exp(beta * row[s] - top) / sum;
      mse += (q - p) * (q - p) - p * p;
    }
    per_set[b] = mse;
  }
  double total = 0.0;
  for (double v : per_set) total += v;  // in set order: the same sum for any thread count
  return total / static_cast<double>(B);
}

}  // namespace

Network jl_network(size_t V, size_t d, uint64_t seed, float beta) {
  require(std::isfinite(beta) && beta > 0, "the JL baseline needs a finite beta > 0");
  Network net(V, d, Activation::kIdentity);
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  for (size_t t = 0; t < V; ++t) {
    CounterRng rng(seed, Purpose::kEmbedding, t);
    for (size_t j = 0; j < d; ++j) {
      const auto e = static_cast<float>(scale * rng.normal());
      net.W_in()[t * d + j] = e;
      net.set_W_out(t, j, beta * e);
    }
  }
  return net;
}

JlTuning tune_jl(const Network& scores, const TaskConfig& task, size_t sets, uint64_t seed,
                 const KernelSet& kernels) {
  require(sets >= 1, "tuning the JL baseline needs at least one set");
  const size_t V = scores.V();
  TokenBatch batch;
  TaskSampler(task, seed, Purpose::kTrainSet).sample(0, sets, batch);
  Activations act;
  forward(scores, batch, act, kernels);
  const std::vector<float>& y = act.z;

  JlTuning out;
  // beta: the best of a log-spaced scan, refined by golden section between its neighbours.
  constexpr int kScan = 36;  // kJlBetaMin .. kJlBetaMax = 1e-2 .. 1e5, 5 points per decade
  auto log_beta_at = [](int i) { return std::log(kJlBetaMin) + i * std::log(10.0) / 5.0; };
  int best = 0;
  double best_mse = INFINITY;
  for (int i = 0; i < kScan; ++i) {
    const double mse = mean_mse(y, batch, V, std::exp(log_beta_at(i)));
    if (mse < best_mse) {
      best_mse = mse;
      best = i;
    }
  }
  double lo = log_beta_at(std::max(0, best - 1)), hi = log_beta_at(std::min(kScan - 1, best + 1));
  const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
  double fa = mean_mse(y, batch, V, std::exp(a)), fb = mean_mse(y, batch, V, std::exp(b));
  for (int iteration = 0; iteration < 30; ++iteration) {
    if (fa < fb) {
      hi = b, b = a, fb = fa;
      a = hi - golden * (hi - lo);
      fa = mean_mse(y, batch, V, std::exp(a));
    } else {
      lo = a, a = b, fa = fb;
      b = lo + golden * (hi - lo);
      fb = mean_mse(y, batch, V, std::exp(b));
    }
  }
  const double refined = std::exp(fa < fb ? a : b);
  // Clamped because exp(log) of the scan's ends rounds outside the range by an ulp.
  out.beta = std::clamp(std::min(fa, fb) < best_mse ? refined : std::exp(log_beta_at(best)),
                        kJlBetaMin, kJlBetaMax);

  // theta: per set, count members and others at or above each grid point, then the mean Jaccard
  // tp / (|S| + fp) of every threshold.
  constexpr int kGrid = 201;
  auto grid_index = [](float value) {  // the last grid point at or below value, -1 below 0
    return static_cast<int>(std::min(std::floor(value / 0.01f), static_cast<float>(kGrid - 1)));
  };
  std::vector<std::array<double, kGrid>> per_set(sets);
#pragma omp parallel for schedule(static)
  for (long s = 0; s < static_cast<long>(sets); ++s) {
    std::array<int, kGrid + 1> members{}, others{};  // counts whose grid index is exactly i
    const std::span<const uint32_t> S = batch.set(s);
    const float* row = y.data() + s * V;
    std::vector<bool> member(V, false);
    for (uint32_t t : S) member[t] = true;
    for (size_t t = 0; t < V; ++t) {
      const int i = grid_index(row[t]);
      if (i < 0) continue;
      (member[t] ? members : others)[i] += 1;
    }
    int tp = 0, fp = 0;
    for (int i = kGrid - 1; i >= 0; --i) {  // y >= grid point i: every index from i up
      tp += members[i];
      fp += others[i];
      per_set[s][i] = static_cast<double>(tp) / static_cast<double>(S.size() + fp);
    }
  }
  double best_jaccard = -1.0;
  for (int i = 0; i < kGrid; ++i) {
    double total = 0.0;
    for (size_t s = 0; s < sets; ++s) total += per_set[s][i];
    if (total > best_jaccard) {
      best_jaccard = total;
      out.theta = 0.01 * i;
    }
  }
  return out;
}

}  // namespace bloomnet
