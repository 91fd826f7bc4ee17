#include "bloomnet/width_sweep.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

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
#include "bloomnet/weights_io.hpp"

namespace bloomnet {
namespace {

TaskConfig task_of(const SweepConfig& config) {
  return {config.V, config.k, config.k_max, config.zipf};
}

TrainConfig train_config(const SweepConfig& config, SweepMethod method, size_t width,
                         uint64_t seed) {
  TrainConfig train;
  train.task = task_of(config);
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
  row.sets = static_cast<double>(m.sets);
  row.mse = m.mse;
  row.mse_se = m.mse_se;
  row.ce = m.ce;
  row.topk_exact = m.topk_exact;
  row.topk_exact_se = m.topk_exact_se;
  row.false_positives_mean = m.false_positives_mean;
  row.false_positive_events = m.false_positive_events;
  row.recall = m.recall;
  row.fpr_measured = m.fpr_measured;
  row.fpr_se = m.fpr_se;
}

void copy_reading(const NetworkReading& r, SweepRow& row) {
  const FilterAgreement& f = *r.metrics.filter;
  row.snap_fraction = r.modes.snap_fraction;
  row.union_accuracy = r.union_match.accuracy;
  row.agreement_exact_match = f.exact_match.mean;
  row.agreement_exact_match_se = f.exact_match.se;
  row.agreement_jaccard = f.jaccard.mean;
  row.agreement_jaccard_se = f.jaccard.se;
  row.oracle_exact_match = f.oracle_exact_match.mean;
  row.oracle_exact_match_se = f.oracle_exact_match.se;
  row.oracle_jaccard = f.oracle_jaccard.mean;
  row.oracle_jaccard_se = f.oracle_jaccard.se;
  row.random_jaccard = r.random_filter.jaccard.mean;
  row.random_jaccard_se = r.random_filter.jaccard.se;
  row.filter_fpr = f.fpr.mean;
  row.filter_fpr_se = f.fpr.se;
  row.random_fpr = r.random_filter.fpr.mean;
  row.random_fpr_se = r.random_filter.fpr.se;
  row.net_fp_given_filter_fp = f.net_fp_given_filter_fp.mean;
  row.filter_fp_given_net_fp = f.filter_fp_given_net_fp.mean;
}

// The held-out evaluation of every method: at least eval_sets sets, more for rare false
// positives.
EvalConfig held_out(const SweepConfig& config) {
  return {.k = config.k,
          .k_max = config.k_max,
          .zipf = config.zipf,
          .sets = config.eval_sets,
          .max_sets = config.max_eval_sets,
          .min_false_positives = config.min_false_positives,
          .seed = config.eval_seed};
}

// Sets drawn from the training stream of the point's seed, never the held-out ones: where the
// exact construction's h is chosen.
EvalConfig tuning(const SweepConfig& config, uint64_t seed) {
  EvalConfig eval = held_out(config);
  eval.sets = config.tuning_sets;
  // A choice among three h needs their order, not every digit: at most 16 times the sets.
  eval.max_sets =
      std::min(std::max(config.max_eval_sets, config.tuning_sets), 16 * config.tuning_sets);
  eval.seed = seed;
  eval.purpose = Purpose::kTrainSet;
  return eval;
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
  require(config.k_max == 0 || (config.k_max >= config.k && config.k_max < config.V),
          "k_max = " + std::to_string(config.k_max) + " must lie in [k, V - 1]");
  [[maybe_unused]] const TaskSampler sampler(task_of(config), 0);  // checks the Zipf exponent
  const bool fixed_uniform_task = config.k_max == 0 && config.zipf == 0.0;
  require(fixed_uniform_task || std::find(config.methods.begin(), config.methods.end(),
                                          SweepMethod::kTheory) == config.methods.end(),
          "the theory method assumes sets of one size k of uniform tokens");
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
  require(config.tuning_sets >= 1, "JL's and the exact construction's tuning needs a set");
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

std::filesystem::path net_path(const SweepConfig& config, const SweepPoint& point) {
  return config.nets_dir /
         (std::string(to_string(point.method)) + "_d" + std::to_string(point.width) + "_s" +
          std::to_string(point.seed) + ".safetensors");
}

SweepRow run_point(const SweepConfig& config, const SweepPoint& point,
                   const std::function<void(size_t, size_t)>& progress) {
  SweepRow row;
  row.point = point;
  row.V = config.V;
  row.k = config.k;
  row.k_max = config.k_max;
  row.zipf = config.zipf;
  const EvalConfig eval = held_out(config);
  const size_t width = point.width;
  switch (point.method) {
    case SweepMethod::kTrained:
    case SweepMethod::kLinear: {
      row.training = config.training_description();
      TrainingRun run({.train = train_config(config, point.method, width, point.seed),
                       .eval_every = 0,
                       .eval_sets = config.eval_sets,
                       .eval_max_sets = config.max_eval_sets,
                       .eval_min_false_positives = config.min_false_positives,
                       .eval_seed = config.eval_seed,
                       .out = config.nets_dir.empty() ? "" : net_path(config, point)});
      run.run([&](const TrainingRun::Step&) {
        if (progress) progress(run.steps_done(), config.steps);
        return false;
      });
      copy_metrics(run.final_metrics(), row);
      const Modes modes = two_means(run.net().W_in());
      row.hashes = static_cast<double>(modes.hash_entries) / static_cast<double>(config.V);
      if (config.read_nets) {
        EvalConfig reading = eval;
        reading.max_sets = 0;  // the reading's comparisons are not rare events
        copy_reading(read_network(run.net(), reading), row);
      }
      break;
    }
    case SweepMethod::kExact: {
      // The theory's best h and its neighbours, chosen on training sets by least eps (ties:
      // fewer hashes), then measured on the held-out sets.
      const size_t best = best_theory_hashes(config.V, width, config.k);
      double least = INFINITY;
      size_t chosen = best;
      for (size_t h = std::max<size_t>(1, best - 1); h <= std::min(width, best + 1); ++h) {
        const HashFamily family(config.V, width, h, point.seed);
        const double mse =
            evaluate(construct_exact(family, config.exact_beta), tuning(config, point.seed)).mse;
        if (mse < least) {
          least = mse;
          chosen = h;
        }
      }
      const HashFamily family(config.V, width, chosen, point.seed);
      copy_metrics(evaluate(construct_exact(family, config.exact_beta), eval), row);
      row.hashes = static_cast<double>(chosen);
      row.beta = config.exact_beta;
      break;
    }
    case SweepMethod::kJl: {
      const JlTuning tuning = tune_jl(jl_network(config.V, width, point.seed), task_of(config),
                                      config.tuning_sets, point.seed);
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
                                const std::filesystem::path& out, Observer& observer, size_t jobs) {
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
                  row.k_max == config.k_max && row.zipf == config.zipf &&
                  (!is_trained(row.point.method) || row.training == training),
              out.string() + " holds a row of another sweep or shard (" + to_string(row.point) +
                  ", V = " + std::to_string(row.V) + ", k = " + std::to_string(row.k) +
                  "); give another --out or remove the file");
    }
  }
  std::set<SweepPoint> done;
  for (const SweepRow& row : rows) done.insert(row.point);
  std::vector<size_t> pending;  // indices into points, in grid order
  for (size_t i = 0; i < points.size(); ++i) {
    if (!done.count(points[i])) pending.push_back(i);
  }
  if (!config.nets_dir.empty()) prepare_output_dir(config.nets_dir);

  // Workers take the next pending point; rows, the file and the observer are shared under one
  // lock. The first failure stops every worker from taking more and is rethrown.
  std::mutex lock;
  size_t next = 0;
  std::exception_ptr failure;
  jobs = std::max<size_t>(1, std::min(jobs, pending.size()));
  const int threads_per_job = std::max(1, omp_get_max_threads() / static_cast<int>(jobs));
  auto work = [&] {
    if (jobs > 1) omp_set_num_threads(threads_per_job);
    while (true) {
      size_t index = 0;
      {
        const std::lock_guard<std::mutex> guard(lock);
        if (failure || next == pending.size()) return;
        index = pending[next++];
      }
      const SweepPoint& point = points[index];
      const std::string label = "sweep " + std::to_string(index + 1) + "/" +
                                std::to_string(points.size()) + " " + to_string(point);
      try {
        const auto start = std::chrono::steady_clock::now();
        SweepRow row = run_point(config, point, [&](size_t step, size_t steps) {
          if (jobs == 1) {
            observer.progress({.task = label, .unit = "steps", .done = step, .total = steps});
          }
        });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::lock_guard<std::mutex> guard(lock);
        rows.push_back(std::move(row));
        write_text_atomically(out, sweep_csv(rows));
        char note[96];
        std::snprintf(note, sizeof note, ": eps %.4g, top-k %.4f (%.1f s)", rows.back().mse,
                      rows.back().topk_exact, seconds);
        observer.note(label + note);
      } catch (...) {
        const std::lock_guard<std::mutex> guard(lock);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  if (jobs == 1) {
    work();
  } else {
    std::vector<std::thread> workers;
    for (size_t j = 0; j < jobs; ++j) workers.emplace_back(work);
    for (std::thread& worker : workers) worker.join();
  }
  if (failure) std::rethrow_exception(failure);
  const std::string text = sweep_csv(rows);
  if (!std::filesystem::exists(out)) write_text_atomically(out, text);
  return parse_sweep_csv(text, out.string());
}

}  // namespace bloomnet
