#include "bloomnet/report.hpp"

#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bloomnet/analysis.hpp"
#include "bloomnet/atomic_file.hpp"
#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/compile.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/fpr_curve.hpp"
#include "bloomnet/reading_files.hpp"
#include "bloomnet/results_json.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/training_run.hpp"
#include "bloomnet/verdicts.hpp"
#include "bloomnet/weights_io.hpp"
#include "bloomnet/width_sweep.hpp"

namespace bloomnet {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The reference configuration of the essay's figure, V = 1024, k = 4, d = 64, Adam lr 0.01,
// trained as the sweep trains (ce2mse, cosine schedule): cross-entropy alone leaves the members'
// logits unequal, so P(S) misses members and the behaviour cannot match a filter's.
constexpr size_t kV = 1024, kK = 4, kD = 64;
constexpr int kStages = 7;

void stage(Observer& observer, int number, const std::string& what) {
  observer.note("== report " + std::to_string(number) + "/" + std::to_string(kStages) + ": " +
                what);
}

// Stage 1: trains the reference network, logging held-out eps 24 times along the way.
json reference_run(const std::filesystem::path& dir, size_t steps, size_t sets, Observer& observer,
                   Network& trained) {
  TrainConfig config;
  config.task = {kV, kK, 0, 0.0};
  config.d = kD;
  config.loss = LossSchedule::kCeToMse;
  config.schedule = Schedule::kCosine;
  config.steps = steps;
  TrainingRun run({.train = config,
                   .eval_every = std::max<size_t>(1, steps / 24),
                   .eval_sets = sets,
                   .log = dir / "train_log.csv",
                   .out = dir / "reference.safetensors"});
  run.run([&](const TrainingRun::Step&) {
    observer.progress({.task = "train", .unit = "steps", .done = run.steps_done(), .total = steps});
    return false;
  });
  trained = run.net();
  const double train_seconds = run.seconds() - run.evaluation_seconds();
  json out = run.final_metrics();
  out["config"] = json::parse(to_json(config));
  out["train_seconds"] = train_seconds;
  out["ms_per_step"] = 1e3 * train_seconds / static_cast<double>(steps);
  return out;
}

}  // namespace

json run_report(const ReportConfig& config, Observer& observer) {
  const auto start = Clock::now();
  const std::filesystem::path& dir = config.out;
  prepare_output_dir(dir);
  const size_t steps = config.steps ? config.steps : (config.quick ? 4000 : 20000);
  const size_t sets = config.sets ? config.sets : (config.quick ? 1024 : 4096);
  SweepConfig sweep;
  sweep.V = kV;
  sweep.k = kK;
  sweep.widths = !config.widths.empty()
                     ? config.widths
                     : (config.quick ? std::vector<size_t>{16, 32, 48, 64}
                                     : std::vector<size_t>{16, 32, 48, 64, 80, 96, 128});
  sweep.methods = config.methods;
  sweep.steps = config.sweep_steps ? config.sweep_steps : (config.quick ? 3000 : 20000);
  sweep.eval_sets = sets;
  validate(sweep);
  json report = {{"quick", config.quick}, {"kernels", simd_kernels().name}};
  json seconds;

  stage(observer, 1,
        "training the reference network (V = 1024, k = 4, d = 64, Adam, ce2mse, cosine, " +
            std::to_string(steps) + " steps)");
  auto t = Clock::now();
  Network trained(1, 1);
  report["reference"] = reference_run(dir, steps, sets, observer, trained);
  seconds["reference"] = seconds_since(t);

  stage(observer, 2, "reading the trained and the exact network as Bloom filters");
  t = Clock::now();
  const EvalConfig eval{.k = kK, .sets = sets};
  const NetworkReading reading = read_network(trained, eval);
  const json compare = reading_json(trained, reading, kK);
  write_reading(dir / "compare", trained, reading, compare, "The trained reference network");
  report["compare"] = compare;
  const size_t h = best_theory_hashes(kV, kD, kK);
  const HashFamily family(kV, kD, h, 0);
  const Network exact = construct_exact(family, 20.0f);
  save_weights(dir / "exact.safetensors", exact,
               exact_metadata({kD, h, 0, 20.0f, ExactForm::kComplement}));
  const NetworkReading exact_reading = read_network(exact, eval);
  json exact_json = reading_json(exact, exact_reading, kK);
  exact_json["h"] = h;
  exact_json["hashes_recovered"] = exact_reading.hashes == family;
  write_reading(
      dir / "compare_exact", exact, exact_reading, exact_json,
      "The exact construction at the same size (m = d = 64, h = " + std::to_string(h) + ")");
  report["compare_exact"] = exact_json;
  seconds["compare"] = seconds_since(t);

  stage(observer, 3, "compiling the trained network into the filter of its hashes");
  t = Clock::now();
  const CompiledNetwork compiled = compile_network(trained, kK, sets, 1);
  save_compiled_filter(dir / "compiled.safetensors", compiled.filter,
                       {{"source", "compiled from a network's W_in modes"}});
  report["compile"] = compiled;
  seconds["compile"] = seconds_since(t);

  stage(observer, 4,
        "sweeping the width (" + std::to_string(sweep_grid(sweep).size()) + " points, " +
            std::to_string(sweep.steps) + " training steps each)");
  t = Clock::now();
  const std::vector<SweepRow> rows = run_sweep(sweep, {}, dir / "sweep.csv", observer);
  const std::vector<MethodFit> fits = fit_sweep(rows);
  json methods = json::array();
  for (SweepMethod method : sweep.methods) methods.push_back(to_string(method));
  report["sweep"] = {{"V", sweep.V},
                     {"k", sweep.k},
                     {"widths", sweep.widths},
                     {"methods", methods},
                     {"training", sweep.training_description()},
                     {"eval_sets", sweep.eval_sets},
                     {"fits", fits},
                     {"cells", sweep_cells(rows)},
                     {"still_improving_gain", kStillImprovingGain}};
  seconds["sweep"] = seconds_since(t);

  stage(observer, 5, "measuring a filter's FPR against theory");
  t = Clock::now();
  // The exact construction's filter (m = 256, h = 6, V = 5000) as the number of keys grows.
  constexpr size_t kCurveKeys[] = {1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 64};
  const FprCurve curve = measure_fpr_curve(5000, 256, 6, kCurveKeys, config.quick ? 500 : 2000);
  write_text_atomically(dir / "fpr_curve.csv", fpr_curve_csv(curve));
  report["fpr_curve"] = curve;
  seconds["fpr_curve"] = seconds_since(t);

  stage(observer, 6, "benchmark summary and verdicts");
  const json& reference = report["reference"];
  report["bench"] = {{"kernels", simd_kernels().name},
                     {"threads", omp_get_max_threads()},
                     {"train_ms_per_step", reference["ms_per_step"]},
                     {"network_ns_per_query", compiled.network_ns_per_query},
                     {"filter_ns_per_query", compiled.filter_ns_per_query},
                     {"filter_speedup", compiled.speedup}};
  json verdicts = json::array({bimodality_verdict(reading), filter_behaviour_verdict(reading)});
  if (const auto law = width_law_verdict(fits)) verdicts.push_back(*law);
  report["verdicts"] = verdicts;
  seconds["total_before_render"] = seconds_since(start);
  report["seconds"] = seconds;
  write_text_atomically(dir / "report.json", report.dump(2) + "\n");
  return report;
}

void render_report(const std::filesystem::path& dir, const std::filesystem::path& renderer,
                   const std::string& python, Observer& observer) {
  require(std::filesystem::is_regular_file(renderer),
          "the report's renderer '" + renderer.string() + "' does not exist");
  stage(observer, 7, "drawing the figures and writing REPORT.md");
  const std::string command = python + " '" + renderer.string() + "' '" + dir.string() + "'";
  const int status = std::system(command.c_str());
  require(status == 0, "the renderer failed (" + command + ")");
}

}  // namespace bloomnet
