// bloomnet train: a TrainingRun (training_run.hpp) from the command line, with progress on
// stderr and SIGINT/SIGTERM turned into a checkpoint and exit codes 130/143; at the end eval's
// JSON and the run's summary on stdout.
#include <csignal>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bloomnet/results_json.hpp"
#include "bloomnet/training_run.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace bloomnet::cli {
namespace {

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void request_stop(int signal) { stop_signal = signal; }

// Installs the stop handler for SIGINT and SIGTERM while alive: the run finishes its step,
// writes a checkpoint and stops.
class StopOnSignals {
 public:
  StopOnSignals() {
    stop_signal = 0;
    previous_int_ = std::signal(SIGINT, request_stop);
    previous_term_ = std::signal(SIGTERM, request_stop);
  }
  ~StopOnSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

}  // namespace

void add_train_command(CLI::App& app) {
  struct Options {
    TrainingRunConfig run;
    std::string resume;
    size_t threads = 0;
  };
  auto options = std::make_shared<Options>();
  TrainingRunConfig& r = options->run;
  TrainConfig& c = r.train;
  CLI::App* cmd = app.add_subcommand("train", "Train the network on the k-sparse task");
  add_count(cmd, "--vocab", c.task.V, "Vocabulary size V")->required();
  add_count(cmd, "--k", c.task.k, "Set size k (the least one with --k-max)")->required();
  add_count(cmd, "--k-max", c.task.k_max, "Largest set size: sets of k..k-max tokens");
  with_default(add_number(cmd, "--zipf", c.task.zipf, "Zipf exponent of the tokens (0: uniform)"),
               c.task.zipf);
  add_count(cmd, "--width", c.d, "Hidden width d")->required();
  add_choice(cmd, "--activation", c.activation, "The hidden layer's activation");
  add_choice(cmd, "--loss", c.loss, "Loss (ce2mse: ce, then mse for the second half)");
  add_choice(cmd, "--optimizer", c.optimizer.kind, "Optimizer (sgd: momentum 0.9)");
  with_default(add_number(cmd, "--lr", c.lr, "Learning rate"), c.lr);
  add_choice(cmd, "--schedule", c.schedule, "Learning-rate schedule");
  with_default(
      add_number(cmd, "--weight-decay", c.optimizer.weight_decay, "AdamW's decoupled weight decay"),
      c.optimizer.weight_decay);
  with_default(add_count(cmd, "--batch", c.batch, "Sets per step"), c.batch);
  with_default(add_count(cmd, "--steps", c.steps, "Training steps"), c.steps);
  with_default(add_count(cmd, "--seed", c.seed, "Seed of initialization and training sets"),
               c.seed);
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  with_default(add_count(cmd, "--eval-every", r.eval_every,
                         "Steps between held-out evaluations (0: only at the end)"),
               r.eval_every);
  with_default(add_count(cmd, "--eval-sets", r.eval_sets, "Held-out sets per evaluation"),
               r.eval_sets);
  with_default(add_count(cmd, "--eval-seed", r.eval_seed, "Seed of the held-out sets (as eval's)"),
               r.eval_seed);
  cmd->add_option("--log", r.log, "CSV of held-out metrics during training");
  add_count(cmd, "--checkpoint-every", r.checkpoint_every,
            "Steps between checkpoints (0: only on SIGINT/SIGTERM)");
  cmd->add_option("--checkpoint", r.checkpoint, "Checkpoint file (default: OUT.ckpt)");
  cmd->add_option("--resume", options->resume, "Continue the run saved in this checkpoint");
  cmd->add_option("--out", r.out, "Weights file to write (safetensors)")->required();
  cmd->callback([options] {
    use_threads(options->threads);
    TrainingRunConfig config = options->run;
    if (config.checkpoint.empty()) config.checkpoint = config.out.string() + ".ckpt";
    TrainingRun run = options->resume.empty() ? TrainingRun(config)
                                              : TrainingRun::resume(options->resume, config);

    const StopOnSignals stop;
    ProgressBar progress("train", "steps", run.steps_done());
    std::string held_out;
    double final_loss = 0;
    const bool finished = run.run([&](const TrainingRun::Step& step) {
      if (step.evaluated != nullptr) {
        std::ostringstream text;
        text << "held-out mse " << step.evaluated->metrics.mse << ", top-k "
             << step.evaluated->metrics.topk_exact;
        held_out = text.str();
      }
      final_loss = step.report.loss;
      std::ostringstream detail;
      detail << "loss " << step.report.loss << " (" << to_string(step.report.loss_kind) << ")"
             << (held_out.empty() ? "" : ", ") << held_out;
      progress.update(run.steps_done(), config.train.steps, detail.str());
      return stop_signal != 0;
    });
    if (!finished) {
      throw ExitRequest{128 + stop_signal,
                        "interrupted at step " + std::to_string(run.steps_done()) +
                            "; checkpoint " + config.checkpoint.string() +
                            " written; continue with --resume " + config.checkpoint.string()};
    }

    nlohmann::json out = {
        {"weights", config.out.string()}, {"kind", "trained"},
        {"V", config.train.task.V},       {"d", config.train.d},
        {"k", config.train.task.k},       {"k_max", config.train.task.largest_set()},
        {"seed", config.eval_seed},       {"kernels", simd_kernels().name}};
    out.update(nlohmann::json(run.final_metrics()));
    const double seconds = run.seconds();
    // Where the steps of this process went (a resumed run's earlier steps are not in it).
    nlohmann::json phase_seconds;
    for (const auto& [name, phase] : kStepPhases) {
      phase_seconds[name] = run.trainer().phase_seconds().*phase;
    }
    out["train"] = {{"steps", run.steps_done()},
                    {"seconds", seconds},
                    {"steps_per_second", static_cast<double>(run.steps_done()) / seconds},
                    {"phase_seconds", phase_seconds},
                    {"final_loss", final_loss},
                    {"config", nlohmann::json::parse(to_json(config.train))}};
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
