#include "bloomnet/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "bloomnet/error.hpp"

namespace bloomnet {

double scheduled_learning_rate(Schedule schedule, double lr, size_t s, size_t steps) {
  if (schedule == Schedule::kConstant || steps == 0) return lr;
  const double progress = static_cast<double>(s) / static_cast<double>(steps);
  return lr * (0.02 + 0.98 * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0);
}

Optimizer::Optimizer(const OptimizerConfig& config, size_t n) : config_(config) {
  const bool adam = config.kind != OptimizerKind::kSgd;
  if (adam) {
    require(config.beta1 >= 0 && config.beta1 < 1 && config.beta2 >= 0 && config.beta2 < 1,
            "Adam's betas must lie in [0, 1)");
    require(config.eps > 0, "Adam's eps must be positive");
    require(config.weight_decay >= 0, "the weight decay must be >= 0");
  } else {
    require(config.momentum >= 0 && config.momentum < 1, "the momentum must lie in [0, 1)");
  }
  m_.assign(n, 0.0f);
  v_.assign(adam ? n : 0, 0.0f);
}

void Optimizer::step(double lr, std::span<const float> grad, std::span<float> params,
                     const KernelSet& kernels) {
  require(grad.size() == m_.size() && params.size() == m_.size(),
          "the optimizer holds state for " + std::to_string(m_.size()) + " parameters, not " +
              std::to_string(params.size()));
  ++steps_;
  AdamStep adam{};
  if (config_.kind != OptimizerKind::kSgd) {
    const auto s = static_cast<double>(steps_);
    adam = {.beta1 = static_cast<float>(config_.beta1),
            .one_minus_beta1 = static_cast<float>(1.0 - config_.beta1),
            .beta2 = static_cast<float>(config_.beta2),
            .one_minus_beta2 = static_cast<float>(1.0 - config_.beta2),
            .step_size = static_cast<float>(lr / (1.0 - std::pow(config_.beta1, s))),
            .inv_sqrt_correction2 =
                static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(config_.beta2, s))),
            .eps = static_cast<float>(config_.eps),
            .decay = config_.kind == OptimizerKind::kAdamW
                         ? static_cast<float>(lr * config_.weight_decay)
                         : 0.0f};
  }
  // Elementwise: any split gives the same bits.
  constexpr size_t kChunk = size_t{1} << 14;
  const size_t n = params.size();
  const auto chunks = static_cast<long>((n + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static) if (n > 4 * kChunk)
  for (long c = 0; c < chunks; ++c) {
    const size_t at = static_cast<size_t>(c) * kChunk;
    const size_t len = std::min(kChunk, n - at);
    if (config_.kind == OptimizerKind::kSgd) {
      kernels.training.sgd_update(static_cast<float>(lr), static_cast<float>(config_.momentum),
                                  grad.data() + at, len, params.data() + at, m_.data() + at);
    } else {
      kernels.training.adam_update(adam, grad.data() + at, len, params.data() + at, m_.data() + at,
                                   v_.data() + at);
    }
  }
}

void Optimizer::restore(size_t steps, std::span<const float> m, std::span<const float> v) {
  require(m.size() == m_.size() && v.size() == v_.size(),
          "the optimizer state holds " + std::to_string(m.size()) + " + " +
              std::to_string(v.size()) + " values, expected " + std::to_string(m_.size()) + " + " +
              std::to_string(v_.size()));
  steps_ = steps;
  std::copy(m.begin(), m.end(), m_.begin());
  std::copy(v.begin(), v.end(), v_.begin());
}

}  // namespace bloomnet
