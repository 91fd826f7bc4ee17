// The optimizers against their formulas (PyTorch's Adam, AdamW and SGD with momentum), and every
// SIMD kernel set against the scalar references.
#include <cmath>

#include "bloomnet/error.hpp"
#include "bloomnet/optimizer.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

std::vector<float> draw_values(size_t n, float scale) {
  std::vector<float> values(n);
  for (float& x : values) x = scale * *rc::gen::inRange(-1000, 1001) / 1000.0f;
  return values;
}

RC_GTEST_PROP(Optimizer, adam_step_equals_its_formula, ()) {
  const size_t n = draw<size_t>(1, 100);
  const OptimizerKind kind = *rc::gen::element(OptimizerKind::kAdam, OptimizerKind::kAdamW);
  const OptimizerConfig config{.kind = kind,
                               .beta1 = *rc::gen::element(0.0, 0.5, 0.9),
                               .beta2 = *rc::gen::element(0.9, 0.99, 0.999),
                               .eps = *rc::gen::element(1e-8, 1e-3),
                               .weight_decay = *rc::gen::element(0.0, 0.01, 0.1)};
  const double lr = *rc::gen::element(1e-4, 1e-2, 0.3);
  const size_t before = draw<size_t>(0, 1000);  // steps already taken
  const std::vector<float> grad = draw_values(n, 2.0f), m = draw_values(n, 0.5f);
  std::vector<float> v = draw_values(n, 0.5f);
  for (float& x : v) x = std::abs(x);
  const std::vector<float> start = draw_values(n, 3.0f);

  std::vector<float> scalar_params = start;
  Optimizer scalar(config, n);
  scalar.restore(before, m, v);
  scalar.step(lr, grad, scalar_params, scalar_kernels());
  RC_ASSERT(scalar.steps() == before + 1);

  const double s = static_cast<double>(before + 1);
  const double decay = kind == OptimizerKind::kAdamW ? lr * config.weight_decay : 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double g = grad[i];
    const double mi = config.beta1 * m[i] + (1 - config.beta1) * g;
    const double vi = config.beta2 * v[i] + (1 - config.beta2) * g * g;
    const double m_hat = mi / (1 - std::pow(config.beta1, s));
    const double v_hat = vi / (1 - std::pow(config.beta2, s));
    const double update = lr * m_hat / (std::sqrt(v_hat) + config.eps);
    const double expected = start[i] * (1 - decay) - update;
    RC_ASSERT(std::abs(scalar_params[i] - expected) <=
              1e-5 * (std::abs(start[i]) + std::abs(update)) + 1e-30);
    RC_ASSERT(std::abs(scalar.first_moment()[i] - mi) <= 1e-6 * (std::abs(mi) + std::abs(g)));
    RC_ASSERT(std::abs(scalar.second_moment()[i] - vi) <= 1e-6 * (vi + g * g) + 1e-30);
  }
  // Elementwise, unfused, same order: identical bits on every instruction set.
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    std::vector<float> params = start;
    Optimizer simd(config, n);
    simd.restore(before, m, v);
    simd.step(lr, grad, params, *kernels);
    RC_ASSERT(prop::same_bits(params, scalar_params));
  }
}

RC_GTEST_PROP(Optimizer, sgd_step_equals_its_formula, ()) {
  const size_t n = draw<size_t>(1, 100);
  const OptimizerConfig config{.kind = OptimizerKind::kSgd,
                               .momentum = *rc::gen::element(0.0, 0.5, 0.9)};
  const double lr = *rc::gen::element(1e-3, 0.1, 1.0);
  const std::vector<float> grad = draw_values(n, 2.0f), velocity = draw_values(n, 1.0f);
  const std::vector<float> start = draw_values(n, 3.0f);
  std::vector<float> scalar_params = start;
  Optimizer scalar(config, n);
  scalar.restore(3, velocity, {});
  scalar.step(lr, grad, scalar_params, scalar_kernels());
  for (size_t i = 0; i < n; ++i) {
    const double vel = config.momentum * velocity[i] + grad[i];
    const double expected = start[i] - lr * vel;
    RC_ASSERT(std::abs(scalar_params[i] - expected) <= 1e-6 * (std::abs(start[i]) + lr * 4));
  }
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    std::vector<float> params = start;
    Optimizer simd(config, n);
    simd.restore(3, velocity, {});
    simd.step(lr, grad, params, *kernels);
    RC_ASSERT(prop::same_bits(params, scalar_params));
  }
}

TEST(Optimizer, cosine_schedule_follows_the_spec_and_constant_stays) {
  EXPECT_EQ(scheduled_learning_rate(Schedule::kConstant, 0.5, 7, 10), 0.5);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(Schedule::kCosine, 0.5, 0, 10), 0.5);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(Schedule::kCosine, 0.5, 5, 10), 0.5 * (0.02 + 0.49));
  EXPECT_NEAR(scheduled_learning_rate(Schedule::kCosine, 0.5, 10, 10), 0.5 * 0.02, 1e-15);
}

TEST(Optimizer, refuses_bad_settings_and_mismatched_state) {
  EXPECT_THROW(Optimizer({.beta1 = 1.0}, 4), Error);
  EXPECT_THROW(Optimizer({.eps = 0.0}, 4), Error);
  EXPECT_THROW(Optimizer({.kind = OptimizerKind::kSgd, .momentum = -0.1}, 4), Error);
  Optimizer adam({}, 4);
  std::vector<float> params(3), grad(3);
  EXPECT_THROW(adam.step(0.1, grad, params), Error);
  EXPECT_THROW(adam.restore(1, std::vector<float>(4), std::vector<float>(3)), Error);
}

}  // namespace
}  // namespace bloomnet
