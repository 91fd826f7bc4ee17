// bloomnet train: trains the network on the task (SPEC sections 1-2) with progress on stderr,
// held-out metrics logged to a CSV, atomic checkpoints (periodic and on SIGINT/SIGTERM) that
// --resume continues bit for bit, and at the end the weights file and eval's JSON.
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/loss.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/trainer.hpp"
#include "commands.hpp"
#include "metrics_json.hpp"
#include "progress.hpp"

namespace bloomnet::cli {
namespace {

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void request_stop(int signal) { stop_signal = signal; }

// Installs the stop handler for SIGINT and SIGTERM while alive: the training loop finishes its
// step, writes a checkpoint and exits.
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

constexpr const char* kLogHeader =
    "step,loss,lr,train_loss,mse,ce,topk_exact,false_positives_mean,recall,fpr_measured,"
    "seconds\n";

std::string log_row(const StepReport& last, double train_loss, const Metrics& m, double seconds) {
  char row[512];
  std::snprintf(row, sizeof row, "%zu,%s,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.3f\n",
                last.step + 1, to_string(last.loss_kind), last.lr, train_loss, m.mse, m.ce,
                m.topk_exact, m.false_positives_mean, m.recall, m.fpr_measured, seconds);
  return row;
}

}  // namespace

void add_train_command(CLI::App& app) {
  struct Options {
    TrainConfig config;
    std::string loss = "ce", optimizer = "adam", schedule = "const", activation = "relu";
    size_t threads = 0;
    size_t eval_every = 1000, eval_sets = 4096;
    uint64_t eval_seed = 1;
    std::string log, checkpoint, resume, out;
    size_t checkpoint_every = 0;
  };
  auto options = std::make_shared<Options>();
  TrainConfig& c = options->config;
  CLI::App* cmd = app.add_subcommand("train", "Train the network on the k-sparse task");
  add_unsigned(cmd, "--vocab", c.task.V, "Vocabulary size V")->required();
  add_unsigned(cmd, "--k", c.task.k, "Set size k (the least one with --k-max)")->required();
  add_unsigned(cmd, "--k-max", c.task.k_max, "Largest set size: sets of k..k-max tokens");
  cmd->add_option("--zipf", c.task.zipf, "Zipf exponent of the tokens (0: uniform)")
      ->capture_default_str();
  add_unsigned(cmd, "--width", c.d, "Hidden width d")->required();
  cmd->add_option("--activation", options->activation, "relu, or linear (no ReLU)")
      ->check(CLI::IsMember({"relu", "linear"}))
      ->capture_default_str();
  cmd->add_option("--loss", options->loss, "ce, mse, or ce2mse (ce, then mse for the second half)")
      ->check(CLI::IsMember({"ce", "mse", "ce2mse"}))
      ->capture_default_str();
  cmd->add_option("--optimizer", options->optimizer, "adam, adamw or sgd (momentum 0.9)")
      ->check(CLI::IsMember({"adam", "adamw", "sgd"}))
      ->capture_default_str();
  cmd->add_option("--lr", c.lr, "Learning rate")->capture_default_str();
  cmd->add_option("--schedule", options->schedule, "Learning-rate schedule: const or cosine")
      ->check(CLI::IsMember({"const", "cosine"}))
      ->capture_default_str();
  cmd->add_option("--weight-decay", c.optimizer.weight_decay, "AdamW's decoupled weight decay")
      ->capture_default_str();
  add_unsigned(cmd, "--batch", c.batch, "Sets per step")->capture_default_str();
  add_unsigned(cmd, "--steps", c.steps, "Training steps")->capture_default_str();
  add_unsigned(cmd, "--seed", c.seed, "Seed of initialization and training sets")
      ->capture_default_str();
  add_unsigned(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  add_unsigned(cmd, "--eval-every", options->eval_every,
               "Steps between held-out evaluations (0: only at the end)")
      ->capture_default_str();
  add_unsigned(cmd, "--eval-sets", options->eval_sets, "Held-out sets per evaluation")
      ->capture_default_str();
  add_unsigned(cmd, "--eval-seed", options->eval_seed, "Seed of the held-out sets (as eval's)")
      ->capture_default_str();
  cmd->add_option("--log", options->log, "CSV of held-out metrics during training");
  add_unsigned(cmd, "--checkpoint-every", options->checkpoint_every,
               "Steps between checkpoints (0: only on SIGINT/SIGTERM)");
  cmd->add_option("--checkpoint", options->checkpoint, "Checkpoint file (default: OUT.ckpt)");
  cmd->add_option("--resume", options->resume, "Continue the run saved in this checkpoint");
  cmd->add_option("--out", options->out, "Weights file to write (safetensors)")->required();
  cmd->callback([options] {
    TrainConfig config = options->config;
    config.loss = loss_schedule_from_string(options->loss);
    config.activation = activation_from_string(options->activation);
    config.optimizer.kind = optimizer_kind_from_string(options->optimizer);
    config.schedule = schedule_from_string(options->schedule);
    validate(config);
    require(options->eval_sets >= 1, "held-out evaluations need at least one set (--eval-sets 0)");
    use_threads(options->threads);
    const std::string checkpoint =
        options->checkpoint.empty() ? options->out + ".ckpt" : options->checkpoint;
    // Every destination is checked now, not after hours of training.
    require_writable(options->out);
    require_writable(checkpoint);
    if (!options->log.empty()) require_writable(options->log);

    std::string log = kLogHeader;
    double seconds_before = 0.0;
    // The training loss averaged since the last evaluation (the log's train_loss column).
    double loss_sum = 0.0;
    size_t loss_count = 0;
    std::optional<Trainer> trainer;
    if (options->resume.empty()) {
      trainer.emplace(config);
    } else {
      Metadata saved;
      trainer.emplace(Trainer::resume(options->resume, config, &saved));
      auto number = [&](const char* key) {
        const auto it = saved.find(key);
        if (it == saved.end()) return 0.0;
        char* end = nullptr;
        const double value = std::strtod(it->second.c_str(), &end);
        require(
            *end == '\0' && std::isfinite(value) && value >= 0,
            options->resume + ": metadata '" + key + "' = '" + it->second + "' is not a number");
        return value;
      };
      if (saved.count("log")) log = saved.at("log");
      seconds_before = number("seconds");
      loss_sum = number("loss_sum");
      // Training losses since the last evaluation: at most one per step done.
      const double count = number("loss_count");
      require(count == std::floor(count) && count <= static_cast<double>(trainer->steps_done()),
              options->resume + ": metadata 'loss_count' is not a count of the " +
                  std::to_string(trainer->steps_done()) + " steps done");
      loss_count = static_cast<size_t>(count);
    }
    const EvalConfig eval{.k = config.task.k,
                          .k_max = config.task.k_max,
                          .zipf = config.task.zipf,
                          .sets = options->eval_sets,
                          .seed = options->eval_seed};
    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&] {
      return seconds_before +
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    // Where the newest complete checkpoint is, for the message of a diverging run.
    std::string last_checkpoint = options->resume;
    size_t last_checkpoint_step = trainer->steps_done();
    auto save_checkpoint = [&] {
      char sum[32];
      std::snprintf(sum, sizeof sum, "%.17g", loss_sum);
      trainer->save_checkpoint(checkpoint, {{"log", log},
                                            {"seconds", std::to_string(seconds())},
                                            {"loss_sum", sum},
                                            {"loss_count", std::to_string(loss_count)}});
      last_checkpoint = checkpoint;
      last_checkpoint_step = trainer->steps_done();
    };

    const StopOnSignals stop;
    Progress progress("train", "steps", trainer->steps_done());
    std::string held_out;
    StepReport last;
    std::optional<Metrics> final_metrics;
    while (!trainer->finished()) {
      try {
        last = trainer->step();
      } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; " +
                    (last_checkpoint.empty()
                         ? std::string("no checkpoint was written")
                         : "the last good checkpoint is " + last_checkpoint + " (step " +
                               std::to_string(last_checkpoint_step) + ")"));
      }
      loss_sum += last.loss;
      ++loss_count;
      const size_t done = trainer->steps_done();
      if (trainer->finished() || (options->eval_every && done % options->eval_every == 0)) {
        const Metrics m = evaluate(trainer->net(), eval);
        if (trainer->finished()) final_metrics = m;
        log += log_row(last, loss_sum / static_cast<double>(loss_count), m, seconds());
        if (!options->log.empty()) write_text_atomically(options->log, log);
        std::ostringstream text;
        text << "held-out mse " << m.mse << ", top-k " << m.topk_exact;
        held_out = text.str();
        loss_sum = 0.0;
        loss_count = 0;
      }
      if (options->checkpoint_every && done % options->checkpoint_every == 0) save_checkpoint();
      std::ostringstream detail;
      detail << "loss " << last.loss << " (" << to_string(last.loss_kind) << ")"
             << (held_out.empty() ? "" : ", ") << held_out;
      progress.update(done, config.steps, detail.str());
      if (stop_signal != 0 && !trainer->finished()) {
        save_checkpoint();
        throw ExitRequest{128 + stop_signal, "interrupted at step " + std::to_string(done) +
                                                 "; checkpoint " + checkpoint +
                                                 " written; continue with --resume " + checkpoint};
      }
    }

    save_weights(options->out, trainer->net(), trainer->trained_metadata());
    // Evaluated in the loop's last step, unless the resumed checkpoint had every step done.
    const Metrics metrics = final_metrics ? *final_metrics : evaluate(trainer->net(), eval);
    nlohmann::json out = {{"weights", options->out},    {"kind", "trained"},
                          {"V", config.task.V},         {"d", config.d},
                          {"k", config.task.k},         {"k_max", config.task.largest_set()},
                          {"seed", options->eval_seed}, {"kernels", simd_kernels().name}};
    out.update(metrics_json(metrics));
    const double elapsed = seconds();
    out["train"] = {{"steps", trainer->steps_done()},
                    {"seconds", elapsed},
                    {"steps_per_second", static_cast<double>(trainer->steps_done()) / elapsed},
                    {"final_loss", last.loss},
                    {"config", nlohmann::json::parse(to_json(config))}};
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
