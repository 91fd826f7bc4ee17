// Training the network of SPEC section 2 on the task of section 1: each step draws B training
// sets (TaskSampler streams of purpose kTrainSet, sets s B .. s B + B - 1 at step s), runs
// forward, the loss and its gradient, backward, and one optimizer update.
//
// Initialization (seeded; PyTorch's nn.Linear default for both layers, as if the first layer were
// nn.Linear(V, d) on the k-hot input): W_in and b_in uniform in [-1/sqrt(V), 1/sqrt(V)], W_out
// and b_out uniform in [-1/sqrt(d), 1/sqrt(d)]. Row r of tensor i (0 W_in, 1 b_in, 2 W_out in the
// SPEC's (V, d) orientation, 3 b_out; a bias is one row) is drawn from the counter stream
// (seed, kInit, i 2^40 + r), so no row's values depend on another's.
//
// Determinism: the weights after step s depend only on the configuration, never on the thread
// count (forward, loss, backward and optimizer all fix their reduction orders), and a trainer
// restored from a checkpoint continues bit for bit as if it had never stopped.
//
// Thread safety: one thread drives a Trainer; it parallelizes inside (OpenMP).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/optimizer.hpp"
#include "bloomnet/task.hpp"
#include "bloomnet/weights_io.hpp"

namespace bloomnet {

// cross-entropy, MSE, or ce2mse: cross-entropy for the first half of the steps, then MSE.
enum class LossSchedule { kCrossEntropy, kMse, kCeToMse };
template <>
struct EnumNames<LossSchedule> {
  static constexpr const char* kWhat = "loss";
  static constexpr std::pair<LossSchedule, const char*> kNames[] = {
      {LossSchedule::kCrossEntropy, "ce"},
      {LossSchedule::kMse, "mse"},
      {LossSchedule::kCeToMse, "ce2mse"}};
};

struct TrainConfig {
  TaskConfig task{};
  size_t d = 0;
  Activation activation = Activation::kRelu;  // kIdentity: the linear network of SPEC section 6
  LossSchedule loss = LossSchedule::kCrossEntropy;
  OptimizerConfig optimizer{};
  double lr = 0.01;
  Schedule schedule = Schedule::kConstant;
  size_t batch = 256;
  size_t steps = 1000;
  uint64_t seed = 0;

  // The loss used at step s (0-based).
  LossKind loss_at(size_t s) const;
};

// Throws Error naming the first bad value: V or d zero, k outside [1, V], k_max outside [k, V],
// a negative or non-finite Zipf exponent, lr <= 0 or not finite, batch 0, steps 0, or a run
// whose weights, gradients, optimizer state and batch would not fit in this machine's memory.
void validate(const TrainConfig& config);

// The configuration as one JSON object (the `config` metadata of trained files and checkpoints),
// and back. from_json throws Error for a text that is not such an object.
std::string to_json(const TrainConfig& config);
TrainConfig train_config_from_json(const std::string& text);

struct StepReport {
  size_t step = 0;  // the step just taken, 0-based
  double lr = 0;
  LossKind loss_kind = LossKind::kCrossEntropy;
  double loss = 0;  // the batch's mean loss before the update
};

// Wall-clock seconds a Trainer's steps spent in each phase, summed over the steps it has taken
// since it was made (a resumed run starts from zero): where a step's time goes, measured inside
// the steps rather than by timing each part alone.
struct StepPhaseSeconds {
  double sample = 0;     // drawing the batch's training sets
  double forward = 0;    // the gather into the hidden layer, the logits' product (and the
                         // softmax, for the losses that read probabilities)
  double loss = 0;       // the loss and its gradient over the logits (the cross-entropy's
                         // softmax with it)
  double backward = 0;   // the weight and hidden gradients' products and the scatter-add
  double optimizer = 0;  // the update of every parameter (Adam's state included)
  double clear = 0;      // zeroing the gradient's rows of the batch's tokens for the next step
  double total() const;
};

// Every phase in step order, with the name benchmarks and the CLI give it.
inline constexpr std::pair<const char*, double StepPhaseSeconds::*> kStepPhases[] = {
    {"sample", &StepPhaseSeconds::sample},       {"forward", &StepPhaseSeconds::forward},
    {"loss", &StepPhaseSeconds::loss},           {"backward", &StepPhaseSeconds::backward},
    {"optimizer", &StepPhaseSeconds::optimizer}, {"clear", &StepPhaseSeconds::clear}};

class Trainer {
 public:
  // A fresh run: validated configuration, initialized weights, zero optimizer state.
  explicit Trainer(const TrainConfig& config, const KernelSet& kernels = simd_kernels());

  // Continues the run saved in a checkpoint. Throws Error if the file is not a checkpoint or was
  // written by a configuration other than `config` (naming the first difference).
  static Trainer resume(const std::filesystem::path& checkpoint, const TrainConfig& config,
                        Metadata* metadata = nullptr, const KernelSet& kernels = simd_kernels());

  const TrainConfig& config() const { return config_; }
  const Network& net() const { return net_; }
  size_t steps_done() const { return step_; }
  bool finished() const { return step_ >= config_.steps; }

  // One training step. Throws Error, leaving the weights untouched, when the loss is not finite.
  StepReport step();
  const StepPhaseSeconds& phase_seconds() const { return phase_seconds_; }

  // Weights, optimizer state, step, sampler position (sets drawn) and configuration, written
  // atomically; `metadata` is stored beside them (TrainingRun keeps its bookkeeping there).
  void save_checkpoint(const std::filesystem::path& path, const Metadata& metadata = {}) const;
  // The metadata of a finished network's file: kind = trained, config, steps.
  Metadata trained_metadata() const;

 private:
  Trainer(const TrainConfig& config, const KernelSet& kernels, Network net);

  TrainConfig config_;
  const KernelSet* kernels_;
  TaskSampler sampler_;
  Network net_, grad_;
  Optimizer optimizer_;
  size_t step_ = 0;
  TokenBatch batch_;
  Activations act_;
  BackwardScratch scratch_;
  // dz of the losses that read probabilities; the cross-entropy's replaces act_.z.
  std::vector<float> dz_;
  StepPhaseSeconds phase_seconds_;
};

}  // namespace bloomnet
