#include "bloomnet/width_sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "bloomnet/analysis.hpp"
#include "bloomnet/atomic_file.hpp"
#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/jl_baseline.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/parse.hpp"
#include "bloomnet/resources.hpp"
#include "bloomnet/training_run.hpp"

namespace bloomnet {
namespace {

TrainConfig train_config(const SweepConfig& config, SweepMethod method, size_t width,
                         uint64_t seed) {
  TrainConfig train;
  train.task = {config.V, config.k, 0, 0.0};
  train.d = width;
  train.activation = method == SweepMethod::kLinear ? Activation::kIdentity : Activation::kRelu;
  train.loss = config.loss;
  train.lr = config.lr;
  train.schedule = config.schedule;
  train.batch = config.batch;
  train.steps = config.steps;
  train.seed = seed;
  return train;
}

void copy_metrics(const Metrics& m, SweepRow& row) {
  row.mse = m.mse;
  row.ce = m.ce;
  row.topk_exact = m.topk_exact;
  row.false_positives_mean = m.false_positives_mean;
  row.recall = m.recall;
  row.fpr_measured = m.fpr_measured;
}

}  // namespace

std::string SweepConfig::training_description() const {
  std::ostringstream out;
  out << "steps=" << steps << " batch=" << batch << " lr=" << lr << " loss=" << to_string(loss)
      << " schedule=" << to_string(schedule);
  return out.str();
}

void validate(const SweepConfig& config) {
  if (!config.widths.empty()) {
    // The widest network of any method, first: an impossible size names the memory it needs.
    const auto widest =
        static_cast<double>(*std::max_element(config.widths.begin(), config.widths.end()));
    require_memory(2.0 * static_cast<double>(config.V) * widest * sizeof(float),
                   "the sweep's networks with V = " + std::to_string(config.V) +
                       " and d = " + std::to_string(static_cast<size_t>(widest)));
  }
  require(config.V >= 2, "the sweep needs a vocabulary of at least 2 tokens");
  require(config.k >= 1 && config.k < config.V,
          "k = " + std::to_string(config.k) +
              " must lie in [1, V - 1 = " + std::to_string(config.V - 1) + "]");
  require(!config.widths.empty(), "the sweep needs at least one width");
  for (size_t width : config.widths) require(width >= 1, "a width of 0 has no hidden layer");
  require(
      std::set<size_t>(config.widths.begin(), config.widths.end()).size() == config.widths.size(),
      "a width appears twice in --widths");
  require(!config.methods.empty(), "the sweep needs at least one method");
  require(std::set<SweepMethod>(config.methods.begin(), config.methods.end()).size() ==
              config.methods.size(),
          "a method appears twice in --methods");
  require(config.seeds >= 1, "the sweep needs at least one seed");
  require(config.eval_sets >= 1, "the sweep needs at least one held-out set");
  require(config.jl_tuning_sets >= 1, "the JL baseline needs at least one tuning set");
  for (SweepMethod method : config.methods) {
    if (!is_trained(method)) continue;
    for (size_t width : config.widths) validate(train_config(config, method, width, 0));
  }
}

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string where = "--shard '" + text + "' (expected I/N with 1 <= I <= N)";
  require(slash != std::string::npos, where);
  Shard shard;
  try {
    shard.index = parse_count(std::string_view(text).substr(0, slash), "I");
    shard.count = parse_count(std::string_view(text).substr(slash + 1), "N");
  } catch (const Error&) {
    throw Error(where);
  }
  require(shard.index >= 1 && shard.index <= shard.count, where);
  return shard;
}

std::vector<SweepPoint> sweep_grid(const SweepConfig& config) {
  std::vector<SweepPoint> grid;
  for (const auto& [method, name] : EnumNames<SweepMethod>::kNames) {
    if (std::find(config.methods.begin(), config.methods.end(), method) == config.methods.end()) {
      continue;
    }
    std::vector<size_t> widths = config.widths;
    std::sort(widths.begin(), widths.end());
    const size_t seeds = method == SweepMethod::kTheory ? 1 : config.seeds;
    for (size_t width : widths) {
      for (size_t seed = 0; seed < seeds; ++seed) grid.push_back({method, width, seed});
    }
  }
  return grid;
}

std::vector<SweepPoint> shard_points(const SweepConfig& config, const Shard& shard) {
  const std::vector<SweepPoint> grid = sweep_grid(config);
  std::vector<SweepPoint> out;
  for (size_t i = 0; i < grid.size(); ++i) {
    if (i % shard.count == shard.index - 1) out.push_back(grid[i]);
  }
  return out;
}

SweepRow run_point(const SweepConfig& config, const SweepPoint& point,
                   const std::function<void(size_t, size_t)>& progress) {
  SweepRow row;
  row.point = point;
  row.V = config.V;
  row.k = config.k;
  const EvalConfig eval{.k = config.k, .sets = config.eval_sets, .seed = config.eval_seed};
  const size_t width = point.width;
  switch (point.method) {
    case SweepMethod::kTrained:
    case SweepMethod::kLinear: {
      row.training = config.training_description();
      const size_t three_quarters = config.steps * 3 / 4;
      TrainingRun run({.train = train_config(config, point.method, width, point.seed),
                       .eval_every = 0,
                       .eval_at = {three_quarters},
                       .eval_sets = config.eval_sets,
                       .eval_seed = config.eval_seed});
      run.run([&](const TrainingRun::Step& step) {
        if (step.evaluated != nullptr && step.evaluated->step == three_quarters) {
          row.mse_3q = step.evaluated->metrics.mse;
        }
        if (progress) progress(run.steps_done(), config.steps);
        return false;
      });
      copy_metrics(run.final_metrics(), row);
      const Modes modes = two_means(run.net().W_in());
      row.hashes = static_cast<double>(modes.hash_entries) / static_cast<double>(config.V);
      break;
    }
    case SweepMethod::kExact: {
      // The theory's best h and its neighbours, measured; the least eps wins (ties: fewer hashes).
      const size_t best = best_theory_hashes(config.V, width, config.k);
      for (size_t h = std::max<size_t>(1, best - 1); h <= std::min(width, best + 1); ++h) {
        const HashFamily family(config.V, width, h, point.seed);
        const Metrics m = evaluate(construct_exact(family, config.exact_beta), eval);
        if (std::isnan(row.mse) || m.mse < row.mse) {
          copy_metrics(m, row);
          row.hashes = static_cast<double>(h);
        }
      }
      row.beta = config.exact_beta;
      break;
    }
    case SweepMethod::kJl: {
      const TaskConfig task{config.V, config.k, 0, 0.0};
      const JlTuning tuning =
          tune_jl(jl_network(config.V, width, point.seed), task, config.jl_tuning_sets, point.seed);
      EvalConfig thresholded = eval;
      thresholded.positive_logit = tuning.beta * tuning.theta;
      const Network net = jl_network(config.V, width, point.seed, static_cast<float>(tuning.beta));
      copy_metrics(evaluate(net, thresholded), row);
      row.beta = tuning.beta;
      row.theta = tuning.theta;
      break;
    }
    case SweepMethod::kTheory: {
      const size_t h = best_theory_hashes(config.V, width, config.k);
      const ExactTheory theory = exact_theory(config.V, width, h, config.k);
      row.hashes = static_cast<double>(h);
      row.mse = theory.mse;
      row.topk_exact = theory.topk_exact;
      row.false_positives_mean = theory.false_positives_mean;
      row.recall = 1.0;
      row.fpr_measured = theory.fpr;
      break;
    }
  }
  return row;
}

std::vector<SweepRow> run_sweep(const SweepConfig& config, const Shard& shard,
                                const std::filesystem::path& out, Observer& observer) {
  validate(config);
  require_writable(out);
  const std::vector<SweepPoint> points = shard_points(config, shard);
  // Rows a previous run of this shard finished; anything else in the file is someone else's.
  std::vector<SweepRow> rows;
  if (std::filesystem::exists(out)) {
    rows = merge_sweep_rows(read_sweep_csv(out));
    const std::set<SweepPoint> mine(points.begin(), points.end());
    const std::string training = config.training_description();
    for (const SweepRow& row : rows) {
      require(mine.count(row.point) && row.V == config.V && row.k == config.k &&
                  (!is_trained(row.point.method) || row.training == training),
              out.string() + " holds a row of another sweep or shard (" + to_string(row.point) +
                  ", V = " + std::to_string(row.V) + ", k = " + std::to_string(row.k) +
                  "); give another --out or remove the file");
    }
  }
  std::set<SweepPoint> done;
  for (const SweepRow& row : rows) done.insert(row.point);
  for (size_t index = 1; index <= points.size(); ++index) {
    const SweepPoint& point = points[index - 1];
    if (done.count(point)) continue;
    const std::string label = "sweep " + std::to_string(index) + "/" +
                              std::to_string(points.size()) + " " + to_string(point);
    const auto start = std::chrono::steady_clock::now();
    rows.push_back(run_point(config, point, [&](size_t step, size_t steps) {
      observer.progress({.task = label, .unit = "steps", .done = step, .total = steps});
    }));
    write_text_atomically(out, sweep_csv(rows));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char note[80];
    std::snprintf(note, sizeof note, ": eps %.4g, top-k %.4f (%.1f s)", rows.back().mse,
                  rows.back().topk_exact, seconds);
    observer.note(label + note);
  }
  const std::string text = sweep_csv(rows);
  if (!std::filesystem::exists(out)) write_text_atomically(out, text);
  return parse_sweep_csv(text, out.string());
}

}  // namespace bloomnet
