#include "bloomnet/width_sweep.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "bloomnet/analysis.hpp"
#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/jl_baseline.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/resources.hpp"

namespace bloomnet {
namespace {

constexpr SweepMethod kMethods[] = {SweepMethod::kTrained, SweepMethod::kLinear,
                                    SweepMethod::kExact, SweepMethod::kJl, SweepMethod::kTheory};

constexpr const char* kHeader =
    "method,width,seed,vocab,k,training,hashes,beta,theta,mse,ce,topk_exact,false_positives_mean,"
    "recall,fpr_measured,mse_3q";
constexpr size_t kColumns = 16;

bool is_trained(SweepMethod method) {
  return method == SweepMethod::kTrained || method == SweepMethod::kLinear;
}

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

std::string number(double value) {
  if (std::isnan(value)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string csv_line(const SweepRow& r) {
  std::ostringstream out;
  out << to_string(r.point.method) << ',' << r.point.width << ',' << r.point.seed << ',' << r.V
      << ',' << r.k << ',' << r.training << ',' << number(r.hashes) << ',' << number(r.beta) << ','
      << number(r.theta) << ',' << number(r.mse) << ',' << number(r.ce) << ','
      << number(r.topk_exact) << ',' << number(r.false_positives_mean) << ',' << number(r.recall)
      << ',' << number(r.fpr_measured) << ',' << number(r.mse_3q);
  return out.str();
}

size_t parse_count(const std::string& field, const std::string& where) {
  size_t value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  require(!field.empty() && error == std::errc() && end == field.data() + field.size(),
          where + ": '" + field + "' is not a non-negative integer");
  return value;
}

double parse_number(const std::string& field, const std::string& where) {
  if (field.empty()) return NAN;
  double value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  require(error == std::errc() && end == field.data() + field.size() && std::isfinite(value),
          where + ": '" + field + "' is not a finite number");
  return value;
}

}  // namespace

const char* to_string(SweepMethod method) {
  switch (method) {
    case SweepMethod::kTrained:
      return "trained";
    case SweepMethod::kLinear:
      return "linear";
    case SweepMethod::kExact:
      return "exact";
    case SweepMethod::kJl:
      return "jl";
    case SweepMethod::kTheory:
      return "theory";
  }
  return "?";
}

SweepMethod sweep_method_from_string(const std::string& name) {
  for (SweepMethod method : kMethods) {
    if (name == to_string(method)) return method;
  }
  throw Error("unknown method '" + name + "' (known: trained, linear, exact, jl, theory)");
}

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
    shard.index = parse_count(text.substr(0, slash), where);
    shard.count = parse_count(text.substr(slash + 1), where);
  } catch (const Error&) {
    throw Error(where);
  }
  require(shard.index >= 1 && shard.index <= shard.count, where);
  return shard;
}

std::vector<SweepPoint> sweep_grid(const SweepConfig& config) {
  std::vector<SweepPoint> grid;
  for (SweepMethod method : kMethods) {
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
      Trainer trainer(train_config(config, point.method, width, point.seed));
      const size_t three_quarters = config.steps * 3 / 4;
      while (!trainer.finished()) {
        trainer.step();
        if (trainer.steps_done() == three_quarters) {
          row.mse_3q = evaluate(trainer.net(), eval).mse;
        }
        if (progress) progress(trainer.steps_done(), config.steps);
      }
      copy_metrics(evaluate(trainer.net(), eval), row);
      const Modes modes = two_means(trainer.net().W_in());
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

std::string sweep_csv(std::vector<SweepRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.point < b.point; });
  std::string out = std::string(kHeader) + "\n";
  for (const SweepRow& row : rows) out += csv_line(row) + "\n";
  return out;
}

std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source) {
  std::vector<SweepRow> rows;
  std::istringstream in(text);
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line == kHeader) continue;
    const std::string where = source + ":" + std::to_string(line_number);
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    if (line.back() == ',') fields.emplace_back();
    require(fields.size() == kColumns, where + ": " + std::to_string(fields.size()) +
                                           " fields, expected " + std::to_string(kColumns) + " (" +
                                           kHeader + ")");
    SweepRow row;
    try {
      row.point.method = sweep_method_from_string(fields[0]);
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
    row.point.width = parse_count(fields[1], where);
    row.point.seed = parse_count(fields[2], where);
    row.V = parse_count(fields[3], where);
    row.k = parse_count(fields[4], where);
    row.training = fields[5];
    double* numbers[] = {&row.hashes,
                         &row.beta,
                         &row.theta,
                         &row.mse,
                         &row.ce,
                         &row.topk_exact,
                         &row.false_positives_mean,
                         &row.recall,
                         &row.fpr_measured,
                         &row.mse_3q};
    for (size_t i = 0; i < std::size(numbers); ++i)
      *numbers[i] = parse_number(fields[6 + i], where);
    require(row.point.width >= 1, where + ": width 0");
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<SweepRow> merge_sweep_rows(std::vector<SweepRow> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const SweepRow& a, const SweepRow& b) { return a.point < b.point; });
  std::vector<SweepRow> out;
  std::string training;
  for (SweepRow& row : rows) {
    if (!out.empty()) {
      require(row.V == out.front().V && row.k == out.front().k,
              "rows of different sweeps: V = " + std::to_string(row.V) + ", k = " +
                  std::to_string(row.k) + " beside V = " + std::to_string(out.front().V) +
                  ", k = " + std::to_string(out.front().k));
    }
    if (!row.training.empty()) {
      require(training.empty() || training == row.training,
              "rows of different training: '" + row.training + "' beside '" + training + "'");
      training = row.training;
    }
    if (!out.empty() && out.back().point == row.point) {
      require(csv_line(out.back()) == csv_line(row),
              std::string("two different rows for ") + to_string(row.point.method) + " width " +
                  std::to_string(row.point.width) + " seed " + std::to_string(row.point.seed));
      continue;
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<MethodFit> fit_sweep(const std::vector<SweepRow>& rows) {
  std::vector<MethodFit> fits;
  for (SweepMethod method : kMethods) {
    std::vector<double> width, log_width, log_mse;
    size_t unresolved = 0;
    for (const SweepRow& row : rows) {
      if (row.point.method != method || std::isnan(row.mse)) continue;
      if (row.mse < kResolvedMse) {
        ++unresolved;
        continue;
      }
      width.push_back(static_cast<double>(row.point.width));
      log_width.push_back(std::log(static_cast<double>(row.point.width)));
      log_mse.push_back(std::log(row.mse));
    }
    const size_t widths = std::set<double>(width.begin(), width.end()).size();
    if (widths < 2) continue;
    fits.push_back(
        {method, fit_line(width, log_mse), fit_line(log_width, log_mse), widths, unresolved});
  }
  return fits;
}

}  // namespace bloomnet
