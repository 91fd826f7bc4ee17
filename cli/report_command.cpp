// bloomnet report: the headline suite end to end, into one directory: the reference training run,
// the exact construction at the same size, both read as Bloom filters (compare), the trained net
// compiled to a filter, the width sweep with its fits, the FPR of a filter against theory, and a
// short benchmark summary; then reports/render.py draws the figures and writes REPORT.md from the
// CSV and JSON written here. Progress on stderr throughout.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "bloomnet/analysis.hpp"
#include "bloomnet/atomic_file.hpp"
#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/trainer.hpp"
#include "bloomnet/weights_io.hpp"
#include "bloomnet/width_sweep.hpp"
#include "commands.hpp"
#include "metrics_json.hpp"
#include "network_reading.hpp"
#include "progress.hpp"
#include "sweep_json.hpp"

#ifndef BLOOMNET_RENDER_SCRIPT
#error "BLOOMNET_RENDER_SCRIPT must name reports/render.py"
#endif
#ifndef BLOOMNET_PYTHON
#error "BLOOMNET_PYTHON must name the Python interpreter with matplotlib"
#endif

namespace bloomnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct ReportOptions {
  std::string out = "reports/latest";
  bool quick = false;
  // Zero: the default of the mode (full or quick).
  size_t steps = 0, sweep_steps = 0, sets = 0;
  std::vector<size_t> widths;
  std::vector<std::string> methods{"trained", "linear", "exact", "jl", "theory"};
  size_t threads = 0;
  std::string render = BLOOMNET_RENDER_SCRIPT;
};

// The reference configuration of the essay's figure, V = 1024, k = 4, d = 64, Adam lr 0.01, trained
// as the sweep trains (ce2mse, cosine schedule): cross-entropy alone leaves the members' logits
// unequal, so P(S) misses members and the behaviour cannot match a filter's.
constexpr size_t kV = 1024, kK = 4, kD = 64;

void stage(int number, const std::string& what) {
  std::fprintf(stderr, "== report %d/7: %s\n", number, what.c_str());
  std::fflush(stderr);
}

// Trains the reference network, logging held-out eps every `every` steps.
nlohmann::json reference_run(const std::filesystem::path& dir, size_t steps, size_t sets,
                             Network& trained) {
  TrainConfig config;
  config.task = {kV, kK, 0, 0.0};
  config.d = kD;
  config.loss = LossSchedule::kCeToMse;
  config.schedule = Schedule::kCosine;
  config.steps = steps;
  Trainer trainer(config);
  const EvalConfig eval{.k = kK, .sets = sets};
  const size_t every = std::max<size_t>(1, steps / 24);
  std::string log = "step,train_loss,mse,topk_exact\n";
  double loss_sum = 0;
  size_t loss_count = 0;
  Progress progress("train", "steps");
  const auto start = Clock::now();
  double eval_seconds = 0;
  while (!trainer.finished()) {
    loss_sum += trainer.step().loss;
    ++loss_count;
    const size_t done = trainer.steps_done();
    if (done % every == 0 || trainer.finished()) {
      const auto eval_start = Clock::now();
      const Metrics m = evaluate(trainer.net(), eval);
      eval_seconds += seconds_since(eval_start);
      char row[160];
      std::snprintf(row, sizeof row, "%zu,%.6g,%.6g,%.6g\n", done,
                    loss_sum / static_cast<double>(loss_count), m.mse, m.topk_exact);
      log += row;
      loss_sum = 0;
      loss_count = 0;
    }
    progress.update(done, steps);
  }
  const double train_seconds = seconds_since(start) - eval_seconds;
  trained = trainer.net();
  save_weights(dir / "reference.safetensors", trained, trainer.trained_metadata());
  write_text_atomically(dir / "train_log.csv", log);
  const Metrics final_metrics = evaluate(trained, eval);
  nlohmann::json out = metrics_json(final_metrics);
  out["config"] = nlohmann::json::parse(to_json(config));
  out["train_seconds"] = train_seconds;
  out["ms_per_step"] = 1e3 * train_seconds / static_cast<double>(steps);
  return out;
}

// The measured FPR of the exact construction's filter (m = 256, h = 6, V = 5000) against the
// classic formula and the distinct-positions law, as the number of keys grows.
nlohmann::json fpr_curve(const std::filesystem::path& dir, size_t sets) {
  constexpr size_t V = 5000, m = 256, h = 6;
  const auto family = std::make_shared<const HashFamily>(V, m, h, 0);
  std::string csv = "n,fpr_measured,fpr_stderr,fpr_theory,fpr_distinct,fpr_distinct_sd\n";
  nlohmann::json points = nlohmann::json::array();
  for (size_t n : {1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 64}) {
    TokenBatch batch;
    TaskSampler({V, n, 0, 0.0}, 7).sample(0, sets, batch);
    std::vector<double> per_set(sets);
#pragma omp parallel for schedule(static)
    for (long s = 0; s < static_cast<long>(sets); ++s) {
      BloomFilter filter(family);
      filter.insert(batch.set(s));
      per_set[s] = static_cast<double>(filter.positives().count() - n) / static_cast<double>(V - n);
    }
    double mean = 0, square = 0;
    for (double f : per_set) {
      mean += f;
      square += f * f;
    }
    mean /= static_cast<double>(sets);
    const double sd = std::sqrt(std::max(0.0, square / static_cast<double>(sets) - mean * mean));
    const FprDistinct distinct = fpr_distinct(m, h, n);
    char row[200];
    std::snprintf(row, sizeof row, "%zu,%.6g,%.6g,%.6g,%.6g,%.6g\n", n, mean,
                  sd / std::sqrt(static_cast<double>(sets)), fpr_theory(m, h, n), distinct.mean,
                  std::sqrt(distinct.variance));
    csv += row;
    points.push_back({{"n", n},
                      {"fpr_measured", mean},
                      {"fpr_theory", fpr_theory(m, h, n)},
                      {"fpr_distinct", distinct.mean}});
  }
  write_text_atomically(dir / "fpr_curve.csv", csv);
  return {{"V", V}, {"m", m}, {"h", h}, {"sets_per_point", sets}, {"points", points}};
}

void run_report(const ReportOptions& options) {
  const auto start = Clock::now();
  const std::filesystem::path dir = prepare_output_dir(options.out);
  const size_t steps = options.steps ? options.steps : (options.quick ? 4000 : 20000);
  const size_t sets = options.sets ? options.sets : (options.quick ? 1024 : 4096);
  SweepConfig sweep;
  sweep.V = kV;
  sweep.k = kK;
  sweep.widths = !options.widths.empty()
                     ? options.widths
                     : (options.quick ? std::vector<size_t>{16, 32, 48, 64}
                                      : std::vector<size_t>{16, 32, 48, 64, 80, 96, 128});
  for (const std::string& name : options.methods) {
    sweep.methods.push_back(sweep_method_from_string(name));
  }
  sweep.steps = options.sweep_steps ? options.sweep_steps : (options.quick ? 3000 : 20000);
  sweep.eval_sets = sets;
  validate(sweep);
  require(std::filesystem::exists(options.render),
          "the report's renderer '" + options.render + "' does not exist (--render)");
  nlohmann::json report = {{"quick", options.quick}, {"kernels", simd_kernels().name}};
  nlohmann::json seconds;

  stage(1, "training the reference network (V = 1024, k = 4, d = 64, Adam, ce2mse, cosine, " +
               std::to_string(steps) + " steps)");
  auto t = Clock::now();
  Network trained(1, 1);
  report["reference"] = reference_run(dir, steps, sets, trained);
  seconds["reference"] = seconds_since(t);

  stage(2, "reading the trained and the exact network as Bloom filters");
  t = Clock::now();
  const EvalConfig eval{.k = kK, .sets = sets};
  const NetworkReading reading = read_network(trained, eval);
  nlohmann::json compare = reading_json(trained, reading, kK);
  write_reading(dir / "compare", trained, reading, compare, "The trained reference network");
  report["compare"] = compare;
  const size_t h = best_theory_hashes(kV, kD, kK);
  const HashFamily family(kV, kD, h, 0);
  const Network exact = construct_exact(family, 20.0f);
  save_weights(dir / "exact.safetensors", exact,
               exact_metadata({kD, h, 0, 20.0f, ExactForm::kComplement}));
  const NetworkReading exact_reading = read_network(exact, eval);
  nlohmann::json exact_json = reading_json(exact, exact_reading, kK);
  exact_json["h"] = h;
  exact_json["hashes_recovered"] = exact_reading.hashes == family;
  write_reading(
      dir / "compare_exact", exact, exact_reading, exact_json,
      "The exact construction at the same size (m = d = 64, h = " + std::to_string(h) + ")");
  report["compare_exact"] = exact_json;
  seconds["compare"] = seconds_since(t);

  stage(3, "compiling the trained network into the filter of its hashes");
  t = Clock::now();
  report["compile"] =
      compile_network(trained, kK, sets, 1, (dir / "compiled.safetensors").string());
  seconds["compile"] = seconds_since(t);

  stage(4, "sweeping the width (" + std::to_string(sweep_grid(sweep).size()) + " points, " +
               std::to_string(sweep.steps) + " training steps each)");
  t = Clock::now();
  const std::vector<SweepRow> rows = run_sweep(sweep, {}, (dir / "sweep.csv").string());
  report["sweep"] = {{"V", sweep.V},
                     {"k", sweep.k},
                     {"widths", sweep.widths},
                     {"methods", options.methods},
                     {"training", sweep.training_description()},
                     {"eval_sets", sweep.eval_sets},
                     {"fits", fits_json(fit_sweep(rows))}};
  seconds["sweep"] = seconds_since(t);

  stage(5, "measuring a filter's FPR against theory");
  t = Clock::now();
  report["fpr_curve"] = fpr_curve(dir, options.quick ? 500 : 2000);
  seconds["fpr_curve"] = seconds_since(t);

  stage(6, "benchmark summary");
  const nlohmann::json& reference = report["reference"];
  const nlohmann::json& compiled = report["compile"];
  report["bench"] = {{"kernels", simd_kernels().name},
                     {"threads", omp_threads()},
                     {"train_ms_per_step", reference["ms_per_step"]},
                     {"network_ns_per_query", compiled["network_ns_per_query"]},
                     {"filter_ns_per_query", compiled["filter_ns_per_query"]},
                     {"filter_speedup", compiled["speedup"]}};
  seconds["total_before_render"] = seconds_since(start);
  report["seconds"] = seconds;
  write_text_atomically(dir / "report.json", report.dump(2) + "\n");

  stage(7, "drawing the figures and writing REPORT.md");
  const std::string command =
      std::string(BLOOMNET_PYTHON) + " '" + options.render + "' '" + dir.string() + "'";
  const int status = std::system(command.c_str());
  require(status == 0, "the renderer failed (" + command + ")");
  std::fprintf(stderr, "report: %s in %.0f s\n", (dir / "REPORT.md").c_str(), seconds_since(start));
  std::cout << nlohmann::json(
                   {{"report", (dir / "REPORT.md").string()}, {"seconds", seconds_since(start)}})
                   .dump(2)
            << std::endl;
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Run the headline experiments and write REPORT.md");
  cmd->add_option("--out", options->out, "Report directory")->capture_default_str();
  cmd->add_flag("--quick", options->quick, "A smaller run of every stage (a few minutes)");
  add_unsigned(cmd, "--steps", options->steps, "Reference training steps (20000; quick 4000)");
  add_unsigned(cmd, "--sweep-steps", options->sweep_steps,
               "Training steps per width (20000; quick 3000)");
  add_unsigned(cmd, "--widths", options->widths,
               "Sweep widths (16,32,48,64,80,96,128; quick 16,32,48,64)")
      ->delimiter(',');
  cmd->add_option("--methods", options->methods, "Sweep methods")
      ->delimiter(',')
      ->capture_default_str();
  add_unsigned(cmd, "--sets", options->sets, "Held-out sets everywhere (4096; quick 1024)");
  add_unsigned(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->add_option("--render", options->render, "The figure and markdown renderer")
      ->capture_default_str();
  cmd->callback([options] {
    use_threads(options->threads);
    run_report(*options);
  });
}

}  // namespace bloomnet::cli
