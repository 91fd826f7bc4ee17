#include "bloomnet/training_run.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"
#include "csv_table.hpp"

namespace bloomnet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// printf of one number, however long: "%.3f" of a huge number of seconds has 100 digits
// (fuzz_sweep_csv found a log that did not read back once they were cut).
std::string format(const char* pattern, double value) {
  const int length = std::snprintf(nullptr, 0, pattern, value);
  std::string text(static_cast<size_t>(length), '\0');
  std::snprintf(text.data(), text.size() + 1, pattern, value);
  return text;
}

// Columns of numbers, written with 9 significant digits: a member of the row, or of its metrics.
template <double LogRow::*field>
constexpr csv::Column<LogRow> number_column(const char* name) {
  return {name, [](const LogRow& r) { return format("%.9g", r.*field); },
          [](std::string_view f, const std::string& what, LogRow& r) {
            r.*field = parse_number(f, what);
          }};
}
template <double Metrics::*field>
constexpr csv::Column<LogRow> metric_column(const char* name) {
  return {name, [](const LogRow& r) { return format("%.9g", r.metrics.*field); },
          [](std::string_view f, const std::string& what, LogRow& r) {
            r.metrics.*field = parse_number(f, what);
          }};
}

// The log's columns, in file order: the header, the writer and the reader all come from here.
constexpr std::array<csv::Column<LogRow>, 11> kLogColumns = {{
    {"step", [](const LogRow& r) { return std::to_string(r.step); },
     [](std::string_view f, const std::string& what, LogRow& r) { r.step = parse_count(f, what); }},
    {"loss", [](const LogRow& r) { return std::string(to_string(r.loss)); },
     [](std::string_view f, const std::string& what, LogRow& r) {
       try {
         r.loss = from_string<LossKind>(f);
       } catch (const Error& e) {
         throw Error(what + ": " + e.what());
       }
     }},
    number_column<&LogRow::lr>("lr"),
    number_column<&LogRow::train_loss>("train_loss"),
    metric_column<&Metrics::mse>("mse"),
    metric_column<&Metrics::ce>("ce"),
    metric_column<&Metrics::topk_exact>("topk_exact"),
    metric_column<&Metrics::false_positives_mean>("false_positives_mean"),
    metric_column<&Metrics::recall>("recall"),
    metric_column<&Metrics::fpr_measured>("fpr_measured"),
    {"seconds", [](const LogRow& r) { return format("%.3f", r.seconds); },
     [](std::string_view f, const std::string& what, LogRow& r) {
       r.seconds = parse_number(f, what);
     }},
}};

}  // namespace

void validate(const TrainingRunConfig& config) {
  validate(config.train);
  require(config.eval_sets >= 1, "held-out evaluations need at least one set (--eval-sets 0)");
  for (const std::filesystem::path& path : {config.out, config.checkpoint, config.log}) {
    if (!path.empty()) require_writable(path);
  }
}

std::string log_csv(const std::vector<LogRow>& rows) {
  return csv::write<LogRow>(kLogColumns, rows);
}

std::vector<LogRow> parse_log_csv(const std::string& text, const std::string& source) {
  return csv::parse<LogRow>(kLogColumns, text, source);
}

namespace {

const TrainingRunConfig& validated(const TrainingRunConfig& config) {
  validate(config);
  return config;
}

}  // namespace

// The Trainer is the only argument with side effects: validation happens before any allocation.
TrainingRun::TrainingRun(const TrainingRunConfig& config, const KernelSet& kernels)
    : TrainingRun(config, Trainer(validated(config).train, kernels), kernels) {}

TrainingRun::TrainingRun(const TrainingRunConfig& config, Trainer trainer, const KernelSet& kernels)
    : config_(config), kernels_(&kernels), trainer_(std::move(trainer)) {}

TrainingRun TrainingRun::resume(const std::filesystem::path& checkpoint,
                                const TrainingRunConfig& config, const KernelSet& kernels) {
  validate(config);
  Metadata saved;
  TrainingRun run(config, Trainer::resume(checkpoint, config.train, &saved, kernels), kernels);
  const std::string source = checkpoint.string() + ": metadata";
  const size_t done = run.steps_done();
  if (const auto log = saved.find("log"); log != saved.end()) {
    run.log_ = parse_log_csv(log->second, source + " 'log'");
    for (size_t i = 0; i < run.log_.size(); ++i) {
      require(run.log_[i].step <= done && (i == 0 || run.log_[i - 1].step < run.log_[i].step),
              source + " 'log' has a row for step " + std::to_string(run.log_[i].step) +
                  " out of order or past the " + std::to_string(done) + " steps done");
    }
  }
  // Absent from checkpoints written without a run around them: nothing to carry over.
  auto number = [&](const char* key) {
    const auto it = saved.find(key);
    return it == saved.end() ? 0.0 : parse_number(it->second, source + " '" + key + "'");
  };
  run.seconds_before_ = number("seconds");
  require(run.seconds_before_ >= 0,
          source + " 'seconds' = '" + saved.at("seconds") + "' is negative");
  run.loss_sum_ = number("loss_sum");
  if (const auto count = saved.find("loss_count"); count != saved.end()) {
    // Training losses since the last evaluation: at most one per step done.
    run.loss_count_ = parse_count(count->second, source + " 'loss_count'");
    require(run.loss_count_ <= done, source + " 'loss_count' = " + count->second +
                                         " is not a count of the " + std::to_string(done) +
                                         " steps done");
  }
  run.last_checkpoint_ = checkpoint;
  run.last_checkpoint_step_ = done;
  return run;
}

double TrainingRun::seconds() const { return seconds_before_ + seconds_since(start_); }

EvalConfig TrainingRun::eval_config() const {
  const TaskConfig& task = config_.train.task;
  return {.k = task.k,
          .k_max = task.k_max,
          .zipf = task.zipf,
          .sets = config_.eval_sets,
          .max_sets = config_.eval_max_sets,
          .min_false_positives = config_.eval_min_false_positives,
          .seed = config_.eval_seed};
}

bool TrainingRun::evaluates_after(size_t step) const {
  return finished() || (config_.eval_every != 0 && step % config_.eval_every == 0) ||
         std::find(config_.eval_at.begin(), config_.eval_at.end(), step) != config_.eval_at.end();
}

TrainingRun::Step TrainingRun::step() {
  StepReport report;
  try {
    report = trainer_.step();
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + "; " +
                (last_checkpoint_.empty()
                     ? std::string("no checkpoint was written")
                     : "the last good checkpoint is " + last_checkpoint_.string() + " (step " +
                           std::to_string(last_checkpoint_step_) + ")"));
  }
  loss_sum_ += report.loss;
  ++loss_count_;
  const size_t done = steps_done();
  const LogRow* evaluated = nullptr;
  if (evaluates_after(done)) {
    const auto start = Clock::now();
    const Metrics metrics = evaluate(net(), eval_config(), nullptr, *kernels_);
    evaluation_seconds_ += seconds_since(start);
    if (finished()) final_metrics_ = metrics;
    log_.push_back({.step = done,
                    .loss = report.loss_kind,
                    .lr = report.lr,
                    .train_loss = loss_sum_ / static_cast<double>(loss_count_),
                    .metrics = metrics,
                    .seconds = seconds()});
    if (!config_.log.empty()) write_text_atomically(config_.log, log_csv(log_));
    loss_sum_ = 0;
    loss_count_ = 0;
    evaluated = &log_.back();
  }
  if (config_.checkpoint_every != 0 && done % config_.checkpoint_every == 0) save_checkpoint();
  return {report, evaluated};
}

bool TrainingRun::run(const std::function<bool(const Step&)>& after_step) {
  while (!finished()) {
    const Step done = step();
    if (after_step && after_step(done) && !finished()) {
      if (!config_.checkpoint.empty()) save_checkpoint();
      return false;
    }
  }
  if (!config_.out.empty()) save_weights(config_.out, net(), trainer_.trained_metadata());
  return true;
}

void TrainingRun::save_checkpoint() {
  require(!config_.checkpoint.empty(), "this run has no checkpoint file");
  // 17 digits: the running loss continues bit for bit after a resume.
  trainer_.save_checkpoint(config_.checkpoint, {{"log", log_csv(log_)},
                                                {"seconds", std::to_string(seconds())},
                                                {"loss_sum", format("%.17g", loss_sum_)},
                                                {"loss_count", std::to_string(loss_count_)}});
  last_checkpoint_ = config_.checkpoint;
  last_checkpoint_step_ = steps_done();
}

Metrics TrainingRun::final_metrics() {
  if (!final_metrics_) final_metrics_ = evaluate(net(), eval_config(), nullptr, *kernels_);
  return *final_metrics_;
}

}  // namespace bloomnet
