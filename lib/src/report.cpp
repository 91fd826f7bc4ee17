#include "bloomnet/report.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <regex>

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

// The grid sizes of each scale, written once.
struct ScaleGrid {
  size_t seeds;        // of the width sweep
  size_t study_seeds;  // of every other sweep
  size_t reference_steps, steps, sets, max_sets;
  std::vector<size_t> widths, wide_linear, wide_jl, widths_k2, widths_k8, widths_v256, widths_v4096,
      budget_widths, budget_steps;
  bool ablation;  // {ce, ce2mse} x {const, cosine} at d = 64
  bool variants;  // the variable-k and Zipf tasks at d = 64
};

ScaleGrid grid_of(StudyScale scale) {
  switch (scale) {
    case StudyScale::kQuick:
      return {.seeds = 2,
              .study_seeds = 2,
              .reference_steps = 1000,
              .steps = 1000,
              .sets = 512,
              .max_sets = 2048,
              .widths = {16, 32, 48, 64},
              .wide_linear = {},
              .wide_jl = {128},
              .widths_k2 = {8, 16},
              .widths_k8 = {},
              .widths_v256 = {},
              .widths_v4096 = {},
              .budget_widths = {48},
              .budget_steps = {500, 1000, 2000},
              .ablation = true,
              .variants = true};
    case StudyScale::kDefault:
      // The width sweep as the full scale's, its laws, the budget and the loss ablation on two
      // seeds; the k and V scaling and the task variants are the full scale's alone. (Its time on
      // 2 cores, which differs by machine, is README's and `bloomnet report --help`'s.)
      return {.seeds = 3,
              .study_seeds = 2,
              .reference_steps = 20000,
              .steps = 20000,
              .sets = 4096,
              .max_sets = size_t{1} << 18,
              .widths = {16, 32, 48, 64, 80, 96, 128},
              .wide_linear = {},
              .wide_jl = {256, 512, 1024},
              .widths_k2 = {},
              .widths_k8 = {},
              .widths_v256 = {},
              .widths_v4096 = {},
              .budget_widths = {96},
              .budget_steps = {10000, 20000, 40000},
              .ablation = true,
              .variants = false};
    case StudyScale::kFull:
      break;
  }
  return {.seeds = 3,
          .study_seeds = 3,
          .reference_steps = 20000,
          .steps = 20000,
          .sets = 4096,
          .max_sets = size_t{1} << 20,
          .widths = {16, 32, 48, 64, 80, 96, 128},
          .wide_linear = {160, 192, 256, 384},
          .wide_jl = {192, 256, 384, 512, 768, 1024, 1536, 2048},
          .widths_k2 = {8, 12, 16, 20, 24, 32, 40, 48},
          .widths_k8 = {32, 64, 96, 128, 160, 192, 256},
          .widths_v256 = {16, 32, 48, 64, 80, 96, 128},
          .widths_v4096 = {16, 32, 48, 64, 80, 96, 128},
          .budget_widths = {96, 128},
          .budget_steps = {10000, 20000, 40000, 80000},
          .ablation = true,
          .variants = true};
}

void stage(Observer& observer, int number, const std::string& what) {
  observer.note("== report " + std::to_string(number) + "/" + std::to_string(kStages) + ": " +
                what);
}

const StudyPart* part_named(const StudyPlan& plan, const std::string& name) {
  for (const StudyPart& part : plan.parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

std::filesystem::path part_csv(const std::filesystem::path& dir, const StudyPart& part) {
  return dir / (part.name + ".csv");
}

// Merges the shard files a cluster left (<name>.shard-I-of-N.csv) into <name>.csv, whose run
// then computes only what no shard did.
void gather_shards(const std::filesystem::path& dir, const StudyPart& part) {
  const std::regex shard_file(part.name + R"(\.shard-\d+-of-\d+\.csv)");
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (std::regex_match(entry.path().filename().string(), shard_file)) {
      inputs.push_back(entry.path());
    }
  }
  if (inputs.empty()) return;
  const std::filesystem::path whole = part_csv(dir, part);
  if (std::filesystem::exists(whole)) inputs.push_back(whole);
  write_text_atomically(whole, sweep_csv(read_sweep_csvs(inputs)));
}

// Stage 1: trains the reference network, logging held-out eps 24 times along the way.
json reference_run(const std::filesystem::path& dir, const StudyPlan& plan, Observer& observer,
                   Network& trained) {
  TrainConfig config;
  config.task = {kV, kK, 0, 0.0};
  config.d = kD;
  config.loss = LossSchedule::kCeToMse;
  config.schedule = Schedule::kCosine;
  config.steps = plan.reference_steps;
  TrainingRun run({.train = config,
                   .eval_every = std::max<size_t>(1, config.steps / 24),
                   .eval_sets = plan.reference_sets,
                   .log = dir / "train_log.csv",
                   .out = dir / "reference.safetensors"});
  run.run([&](const TrainingRun::Step&) {
    observer.progress(
        {.task = "train", .unit = "steps", .done = run.steps_done(), .total = config.steps});
    return false;
  });
  trained = run.net();
  const double train_seconds = run.seconds() - run.evaluation_seconds();
  json out = run.final_metrics();
  out["config"] = json::parse(to_json(config));
  out["train_seconds"] = train_seconds;
  out["ms_per_step"] = 1e3 * train_seconds / static_cast<double>(config.steps);
  return out;
}

json part_json(const StudyPart& part) {
  const SweepConfig& s = part.sweep;
  json methods = json::array();
  for (SweepMethod method : s.methods) methods.push_back(to_string(method));
  return {{"name", part.name},
          {"question", part.question},
          {"V", s.V},
          {"k", s.k},
          {"k_max", s.k_max},
          {"zipf", s.zipf},
          {"widths", s.widths},
          {"methods", methods},
          {"seeds", s.seeds},
          {"steps", s.steps},
          {"training", s.training_description()},
          {"eval_sets", s.eval_sets},
          {"max_eval_sets", std::max(s.eval_sets, s.max_eval_sets)}};
}

const WidthCell* cell_at(const std::vector<WidthCell>& cells, SweepMethod method, size_t width) {
  for (const WidthCell& cell : cells) {
    if (cell.method == method && cell.width == width) return &cell;
  }
  return nullptr;
}

std::vector<SweepRow> rows_of(const std::filesystem::path& dir, const StudyPlan& plan,
                              std::initializer_list<const char*> names) {
  std::vector<std::filesystem::path> files;
  for (const char* name : names) {
    if (const StudyPart* part = part_named(plan, name)) files.push_back(part_csv(dir, *part));
  }
  return read_sweep_csvs(files);
}

}  // namespace

StudyPlan study_plan(const ReportConfig& config) {
  const ScaleGrid grid = grid_of(config.scale);
  const size_t seeds = config.seeds ? config.seeds : grid.seeds;
  const size_t study_seeds = config.seeds ? config.seeds : grid.study_seeds;
  const size_t steps = config.sweep_steps ? config.sweep_steps : grid.steps;
  const size_t sets = config.sets ? config.sets : grid.sets;
  const size_t max_sets = config.sets ? config.sets : grid.max_sets;
  SweepConfig base{.V = kV,
                   .k = kK,
                   .seeds = seeds,
                   .steps = steps,
                   .eval_sets = sets,
                   .max_eval_sets = max_sets,
                   .tuning_sets = std::min<size_t>(sets, 4096)};
  auto sweep = [&](std::vector<size_t> widths, std::vector<SweepMethod> methods) {
    SweepConfig s = base;
    s.widths = std::move(widths);
    s.methods = std::move(methods);
    s.seeds = study_seeds;
    return s;
  };
  using enum SweepMethod;
  StudyPlan plan{.scale = config.scale,
                 .reference_steps = config.steps ? config.steps : grid.reference_steps,
                 .reference_sets = sets};
  auto add = [&](std::string name, std::string question, const SweepConfig& s) {
    if (!s.widths.empty()) plan.parts.push_back({std::move(name), std::move(question), s});
  };
  SweepConfig width = sweep(config.widths.empty() ? grid.widths : config.widths,
                            {kTrained, kLinear, kExact, kJl, kTheory});
  width.seeds = seeds;
  width.nets_dir = config.out / "nets";
  add("width", "eps against width for every method (SPEC section 6)", width);
  add("wide_linear", "the linear net beyond its ceiling, where its law shows",
      sweep(grid.wide_linear, {kLinear}));
  add("wide_jl", "JL superposition beyond its ceiling, where its law shows",
      sweep(grid.wide_jl, {kJl}));
  for (auto [name, k, widths] :
       {std::tuple{"k2", size_t{2}, grid.widths_k2}, std::tuple{"k8", size_t{8}, grid.widths_k8}}) {
    SweepConfig s = sweep(widths, {kTrained, kExact, kTheory});
    s.k = k;
    add(name, "the tail slope as k changes: -(ln 2)^2 / k?", s);
  }
  for (auto [name, V, widths] : {std::tuple{"v256", size_t{256}, grid.widths_v256},
                                 std::tuple{"v4096", size_t{4096}, grid.widths_v4096}}) {
    SweepConfig s = sweep(widths, {kTrained, kExact, kTheory});
    s.V = V;
    add(name, "the intercept as V changes: ln V?", s);
  }
  plan.budget_widths = grid.budget_widths;
  for (size_t budget : grid.budget_steps) {
    const size_t scaled = budget * steps / grid.steps;  // budgets follow --sweep-steps
    if (scaled == steps) {
      plan.budget_steps.push_back(steps);  // the width sweep's own budget
      continue;
    }
    plan.budget_steps.push_back(scaled);
    SweepConfig s = sweep(grid.budget_widths, {kTrained});
    s.steps = scaled;
    add("budget_" + std::to_string(scaled), "eps against the training budget", s);
  }
  if (grid.ablation) {
    for (auto [loss, schedule] : {std::pair{LossSchedule::kCrossEntropy, Schedule::kConstant},
                                  std::pair{LossSchedule::kCrossEntropy, Schedule::kCosine},
                                  std::pair{LossSchedule::kCeToMse, Schedule::kConstant}}) {
      SweepConfig s = sweep({kD}, {kTrained});
      s.loss = loss;
      s.schedule = schedule;
      add(std::string("ablation_") + to_string(loss) + "_" + to_string(schedule),
          "cross-entropy against ce2mse, constant against cosine", s);
    }
  }
  if (grid.variants) {
    SweepConfig variable = sweep({kD}, {kTrained, kExact});
    variable.k = 2;
    variable.k_max = 8;
    add("variable_k", "sets of 2 to 8 tokens", variable);
    SweepConfig zipf = sweep({kD}, {kTrained, kExact});
    zipf.zipf = 1.0;
    add("zipf", "Zipf(1) tokens", zipf);
  }
  return plan;
}

json run_report(const ReportConfig& config, Observer& observer) {
  const auto start = Clock::now();
  const std::filesystem::path& dir = config.out;
  prepare_output_dir(dir);
  const StudyPlan plan = study_plan(config);
  for (const StudyPart& part : plan.parts) validate(part.sweep);
  json parts = json::array();
  for (const StudyPart& part : plan.parts) parts.push_back(part_json(part));

  if (config.shard.count > 1) {
    // A cluster job: this shard of every sweep, nothing else.
    for (const StudyPart& part : plan.parts) {
      const std::string name = part.name + ".shard-" + std::to_string(config.shard.index) + "-of-" +
                               std::to_string(config.shard.count) + ".csv";
      observer.note("== report shard " + std::to_string(config.shard.index) + "/" +
                    std::to_string(config.shard.count) + ": " + part.name);
      run_sweep(part.sweep, config.shard, dir / name, observer, config.jobs);
    }
    return {{"shard", {config.shard.index, config.shard.count}},
            {"parts", parts},
            {"seconds", seconds_since(start)}};
  }
  json report = {{"scale", to_string(config.scale)},
                 {"kernels", simd_kernels().name},
                 {"threads", omp_get_max_threads()},
                 {"jobs", config.jobs},
                 {"parts", parts},
                 {"reference_width", kD},
                 {"k", kK},
                 {"V", kV}};
  json seconds;

  stage(observer, 1,
        "training the reference network (V = 1024, k = 4, d = 64, Adam, ce2mse, cosine, " +
            std::to_string(plan.reference_steps) + " steps)");
  auto t = Clock::now();
  Network trained(1, 1);
  report["reference"] = reference_run(dir, plan, observer, trained);
  seconds["reference"] = seconds_since(t);

  stage(observer, 2, "reading the trained and the exact network as Bloom filters");
  t = Clock::now();
  const EvalConfig eval{.k = kK, .sets = plan.reference_sets};
  const NetworkReading reading = read_network(trained, eval);
  json compare = reading_json(trained, reading, kK);
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
  const CompiledNetwork compiled = compile_network(trained, kK, plan.reference_sets, 1);
  save_compiled_filter(dir / "compiled.safetensors", compiled.filter,
                       {{"source", "compiled from a network's W_in modes"}});
  report["compile"] = compiled;
  seconds["compile"] = seconds_since(t);

  size_t points = 0;
  for (const StudyPart& part : plan.parts) points += sweep_grid(part.sweep).size();
  stage(observer, 4,
        "the sweeps: " + std::to_string(plan.parts.size()) + " parts, " + std::to_string(points) +
            " points, " + std::to_string(config.jobs) + " side by side");
  t = Clock::now();
  for (const StudyPart& part : plan.parts) {
    gather_shards(dir, part);
    observer.note("-- " + part.name + ": " + part.question);
    run_sweep(part.sweep, {}, part_csv(dir, part), observer, config.jobs);
  }
  seconds["sweeps"] = seconds_since(t);

  stage(observer, 5, "the accuracy/compute frontier of four representations");
  t = Clock::now();
  const StudyPart& width_part = *part_named(plan, "width");
  const std::vector<SweepRow> width_rows = rows_of(dir, plan, {"width", "wide_linear", "wide_jl"});
  std::vector<FrontierPoint> frontier;
  for (size_t d : width_part.sweep.widths) {
    const SweepPoint point{SweepMethod::kTrained, d, 0};
    const std::filesystem::path net = net_path(width_part.sweep, point);
    // Shards on other machines keep their nets unless the directory is shared or gathered.
    if (!std::filesystem::exists(net)) continue;
    size_t hashes = best_theory_hashes(kV, d, kK);
    for (const SweepRow& row : width_rows) {
      if (row.point == SweepPoint{SweepMethod::kExact, d, 0}) {
        hashes = static_cast<size_t>(row.hashes);
      }
    }
    for (FrontierPoint& p :
         measure_frontier(load_weights(net).net, hashes, 0, kK, plan.reference_sets)) {
      frontier.push_back(std::move(p));
    }
  }
  write_text_atomically(dir / "frontier.csv", frontier_csv(frontier));
  json frontier_json = json::array();
  for (const FrontierPoint& p : frontier) {
    frontier_json.push_back({{"representation", p.representation},
                             {"d", p.d},
                             {"bytes", p.bytes},
                             {"ns_per_query", p.ns_per_query},
                             {"fpr", p.fpr}});
  }
  report["frontier"] = frontier_json;
  seconds["frontier"] = seconds_since(t);

  stage(observer, 6, "fits, verdicts, a filter's FPR against theory, benchmark summary");
  t = Clock::now();
  const std::vector<WidthCell> cells = width_cells(width_rows);
  const std::vector<MethodFit> fits = fit_sweep(width_rows);
  report["width"] = {
      {"cells", cells}, {"fits", fits}, {"no_information_mse", no_information_mse(kV, kK, 0)}};

  json scaling = json::array();
  for (const char* name : {"k2", "width", "k8", "v256", "v4096"}) {
    const StudyPart* part = part_named(plan, name);
    if (part == nullptr) continue;
    const std::vector<SweepRow> rows = read_sweep_csv(part_csv(dir, *part));
    const double ln2 = std::numbers::ln2;
    for (const MethodFit& fit : fit_sweep(rows)) {
      if (fit.method != SweepMethod::kTrained && fit.method != SweepMethod::kExact &&
          fit.method != SweepMethod::kTheory) {
        continue;
      }
      scaling.push_back({{"part", name},
                         {"V", part->sweep.V},
                         {"k", part->sweep.k},
                         {"random_slope", -ln2 * ln2 / static_cast<double>(part->sweep.k)},
                         {"fit", fit}});
    }
  }
  report["scaling"] = scaling;

  // Each budget's eps at the budget widths, and the tail slope over those widths alone (does it
  // approach the random-Bloom -(ln 2)^2 / k with budget?).
  json budget = json::array(), budget_slopes = json::array();
  for (size_t steps : plan.budget_steps) {
    const std::string name =
        steps == width_part.sweep.steps ? "width" : "budget_" + std::to_string(steps);
    std::vector<SweepRow> rows = rows_of(dir, plan, {name.c_str()});
    std::erase_if(rows, [&](const SweepRow& row) {
      return row.point.method != SweepMethod::kTrained ||
             std::find(plan.budget_widths.begin(), plan.budget_widths.end(), row.point.width) ==
                 plan.budget_widths.end();
    });
    const std::vector<WidthCell> budget_cells = width_cells(rows);
    for (size_t d : plan.budget_widths) {
      if (const WidthCell* cell = cell_at(budget_cells, SweepMethod::kTrained, d)) {
        budget.push_back({{"steps", steps}, {"width", d}, {"cell", *cell}});
      }
    }
    for (const MethodFit& fit : fit_sweep(rows)) {
      budget_slopes.push_back({{"steps", steps},
                               {"tail", fit.tail},
                               {"slope_per_width", Measured{fit.linear.slope, fit.slope_ci}}});
    }
  }
  report["budget"] = budget;
  report["budget_slopes"] = budget_slopes;

  // The reference configuration (the width sweep at d = 64) beside its variants.
  json variants = json::array();
  if (part_named(plan, "ablation_ce_const") != nullptr) {
    for (const char* name : {"width", "ablation_ce_const", "ablation_ce_cosine",
                             "ablation_ce2mse_const", "variable_k", "zipf"}) {
      const StudyPart* part = part_named(plan, name);
      if (part == nullptr) continue;
      for (const WidthCell& cell : width_cells(read_sweep_csv(part_csv(dir, *part)))) {
        const bool shown =
            cell.method == SweepMethod::kTrained ||
            (cell.method == SweepMethod::kExact && part->sweep.k_max + part->sweep.zipf > 0);
        if (cell.width != kD || !shown) continue;
        variants.push_back({{"part", name},
                            {"training", part->sweep.training_description()},
                            {"k", part->sweep.k},
                            {"k_max", part->sweep.k_max},
                            {"zipf", part->sweep.zipf},
                            {"cell", cell}});
      }
    }
  }
  report["variants"] = variants;

  constexpr size_t kCurveKeys[] = {1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 64};
  const FprCurve curve =
      measure_fpr_curve(5000, 256, 6, kCurveKeys, config.scale == StudyScale::kQuick ? 500 : 2000);
  write_text_atomically(dir / "fpr_curve.csv", fpr_curve_csv(curve));
  report["fpr_curve"] = curve;

  const json& reference = report["reference"];
  report["bench"] = {{"kernels", simd_kernels().name},
                     {"threads", omp_get_max_threads()},
                     {"train_ms_per_step", reference["ms_per_step"]},
                     {"network_ns_per_query", compiled.network_ns_per_query},
                     {"filter_ns_per_query", compiled.filter_ns_per_query},
                     {"filter_speedup", compiled.speedup}};

  json verdicts = json::array();
  if (const WidthCell* cell = cell_at(cells, SweepMethod::kTrained, kD)) {
    verdicts.push_back(bimodality_verdict(*cell));
    verdicts.push_back(filter_behaviour_verdict(*cell));
  }
  if (const auto law = width_law_verdict(fits)) verdicts.push_back(*law);
  if (const auto per_nat = width_per_nat_verdict(fits, kK)) verdicts.push_back(*per_nat);
  report["verdicts"] = verdicts;
  seconds["analysis"] = seconds_since(t);
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
