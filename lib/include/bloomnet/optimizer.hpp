// The optimizers of SPEC section 2 over one flat parameter buffer (Network::params()):
//   SGD with momentum (PyTorch's form: velocity = momentum velocity + g; param -= lr velocity),
//   Adam and AdamW (PyTorch's form; AdamW decays the parameter by lr weight_decay first),
// and the learning-rate schedules constant and cosine,
//   lr_s = lr (0.02 + 0.98 (1 + cos(pi s / steps)) / 2) at step s.
//
// Thread safety: an Optimizer is used by one caller at a time; step() parallelizes inside and its
// result does not depend on the thread count (updates are elementwise).
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/kernels.hpp"

namespace bloomnet {

enum class OptimizerKind { kAdam, kAdamW, kSgd };
template <>
struct EnumNames<OptimizerKind> {
  static constexpr const char* kWhat = "optimizer";
  static constexpr std::pair<OptimizerKind, const char*> kNames[] = {
      {OptimizerKind::kAdam, "adam"},
      {OptimizerKind::kAdamW, "adamw"},
      {OptimizerKind::kSgd, "sgd"}};
};

enum class Schedule { kConstant, kCosine };
template <>
struct EnumNames<Schedule> {
  static constexpr const char* kWhat = "schedule";
  static constexpr std::pair<Schedule, const char*> kNames[] = {{Schedule::kConstant, "const"},
                                                                {Schedule::kCosine, "cosine"}};
};

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdam;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // Adam, AdamW
  double weight_decay = 0.01;                     // AdamW only
  double momentum = 0.9;                          // SGD only
};

// The learning rate at step s (0-based) of a run of `steps` steps.
double scheduled_learning_rate(Schedule schedule, double lr, size_t s, size_t steps);

class Optimizer {
 public:
  // State for n parameters, all zero. Throws Error for betas outside [0, 1), eps <= 0, negative
  // weight decay or momentum outside [0, 1).
  Optimizer(const OptimizerConfig& config, size_t n);

  const OptimizerConfig& config() const { return config_; }
  size_t steps() const { return steps_; }

  // Applies one update with learning rate lr to params from grad (both n long).
  void step(double lr, std::span<const float> grad, std::span<float> params,
            const KernelSet& kernels = simd_kernels());

  // The state, for checkpoints: Adam's moments m and v, or SGD's velocity in m (v empty).
  std::span<const float> first_moment() const { return m_; }
  std::span<const float> second_moment() const { return v_; }
  // Restores a checkpointed state; throws Error if the sizes do not match this optimizer.
  void restore(size_t steps, std::span<const float> m, std::span<const float> v);

 private:
  OptimizerConfig config_;
  size_t steps_ = 0;
  std::vector<float> m_, v_;
};

}  // namespace bloomnet
