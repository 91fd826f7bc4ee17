// A training run end to end, as `bloomnet train`, the report's reference run and the width
// sweep's trained points all run it: the Trainer (trainer.hpp) plus everything around its steps,
// in one place:
//   - the evaluation schedule: held-out metrics (metrics.hpp) every `eval_every` steps, at the
//     further steps listed in `eval_at`, and always after the last step;
//   - the log: one LogRow per evaluation, with the mean training loss since the previous row,
//     rewritten as CSV after each row when a log file is given;
//   - checkpoints every `checkpoint_every` steps and when the caller stops the run, atomically,
//     holding the Trainer's state and the run's bookkeeping (log, running loss, seconds), typed
//     here and validated on resume;
//   - the final weights file.
// A run resumed from its checkpoint ends bit for bit as the run never stopped (weights, losses,
// metrics; only the wall times differ).
//
// The log CSV: step,loss,lr,train_loss,mse,ce,topk_exact,false_positives_mean,recall,
// fpr_measured,seconds (loss: the loss of the row's last step; train_loss: the mean batch loss
// since the previous row; seconds: wall time since the run began, earlier sessions included).
//
// Thread safety: one thread drives a TrainingRun; it parallelizes inside (OpenMP).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bloomnet/kernels.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/trainer.hpp"

namespace bloomnet {

struct TrainingRunConfig {
  TrainConfig train{};
  size_t eval_every = 1000;       // steps between held-out evaluations; 0: only after the last step
  std::vector<size_t> eval_at{};  // further steps (1-based counts of steps done) to evaluate after
  size_t eval_sets = 4096;
  // Above eval_sets: evaluations keep drawing sets up to this many until they have seen
  // eval_min_false_positives false positives (metrics.hpp).
  size_t eval_max_sets = 0;
  size_t eval_min_false_positives = 0;
  uint64_t eval_seed = 1;              // the sets `bloomnet eval` draws with the same seed
  std::filesystem::path log{};         // CSV rewritten after every evaluation; empty: none
  std::filesystem::path checkpoint{};  // empty: no checkpoints
  size_t checkpoint_every = 0;         // 0: a checkpoint only when the caller stops the run
  std::filesystem::path out{};         // the trained weights file; empty: none
};

// Throws Error for a bad training configuration (validate(TrainConfig)), no evaluation sets, or
// an output (log, checkpoint, weights file) that cannot be written: checked before any training,
// not after hours of it.
void validate(const TrainingRunConfig& config);

struct LogRow {
  size_t step = 0;  // steps done
  LossKind loss = LossKind::kCrossEntropy;
  double lr = 0;
  double train_loss = 0;
  Metrics metrics{};
  double seconds = 0;
};

std::string log_csv(const std::vector<LogRow>& rows);
// Throws Error naming the line and column of anything malformed.
std::vector<LogRow> parse_log_csv(const std::string& text, const std::string& source);

class TrainingRun {
 public:
  // A fresh run (validated first).
  explicit TrainingRun(const TrainingRunConfig& config, const KernelSet& kernels = simd_kernels());
  // Continues the run saved in `checkpoint` by a run of the same configuration. Throws Error
  // for another configuration (naming the first difference) or damaged bookkeeping (naming it).
  static TrainingRun resume(const std::filesystem::path& checkpoint,
                            const TrainingRunConfig& config,
                            const KernelSet& kernels = simd_kernels());

  const TrainingRunConfig& config() const { return config_; }
  const Trainer& trainer() const { return trainer_; }
  const Network& net() const { return trainer_.net(); }
  size_t steps_done() const { return trainer_.steps_done(); }
  bool finished() const { return trainer_.finished(); }
  const std::vector<LogRow>& log() const { return log_; }
  // Wall time of the run, earlier sessions included, and the part of it spent evaluating.
  double seconds() const;
  double evaluation_seconds() const { return evaluation_seconds_; }

  struct Step {
    StepReport report;
    const LogRow* evaluated;  // the log row this step added, or null
  };
  // One training step, then its scheduled evaluation and checkpoint. A diverging step throws
  // Error naming the step and the last good checkpoint.
  Step step();

  // Steps until the run is finished, calling after_step after each; when it returns true and
  // steps remain, writes a checkpoint (when the configuration has a path) and returns false.
  // A finished run writes `out` (when given) and returns true.
  bool run(const std::function<bool(const Step&)>& after_step = nullptr);

  // Writes the checkpoint now (config().checkpoint must be set).
  void save_checkpoint();
  // The held-out metrics after the last step (evaluated once, then kept).
  Metrics final_metrics();

 private:
  TrainingRun(const TrainingRunConfig& config, Trainer trainer, const KernelSet& kernels);
  EvalConfig eval_config() const;
  bool evaluates_after(size_t step) const;

  TrainingRunConfig config_;
  const KernelSet* kernels_;
  Trainer trainer_;
  std::vector<LogRow> log_;
  double loss_sum_ = 0;  // training losses since the last log row
  size_t loss_count_ = 0;
  double seconds_before_ = 0;  // the run's wall time in earlier sessions
  double evaluation_seconds_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::filesystem::path last_checkpoint_;  // the newest complete one, for divergence messages
  size_t last_checkpoint_step_ = 0;
  std::optional<Metrics> final_metrics_;
};

}  // namespace bloomnet
