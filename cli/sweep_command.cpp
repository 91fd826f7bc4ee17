// bloomnet sweep: the width-scaling study (SPEC section 6, width_sweep.hpp) as a CSV, one row per
// (method, width, seed), rewritten atomically after every point: an interrupted sweep keeps its
// finished rows and, run again with the same options, computes only the missing ones. --shard
// I/N runs one part of the grid; `bloomnet fit` merges the parts and fits them.
//
// bloomnet fit: reads sweep CSVs (shards, or one cat of them), prints the fits of ln eps against
// d and against ln d per method, and with --merged writes the rows as one canonical CSV.
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/width_sweep.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sweep_json.hpp"

namespace bloomnet::cli {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  require(in.good() && std::filesystem::is_regular_file(path),
          "cannot read '" + path + "' (missing or not a regular file)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string point_text(const SweepPoint& p) {
  return std::string(to_string(p.method)) + " d=" + std::to_string(p.width) + " seed " +
         std::to_string(p.seed);
}

}  // namespace

std::vector<SweepRow> run_sweep(const SweepConfig& config, const Shard& shard,
                                const std::string& out) {
  validate(config);
  require_writable(out);
  const std::vector<SweepPoint> points = shard_points(config, shard);
  // Rows a previous run of this shard finished; anything else in the file is someone else's.
  std::vector<SweepRow> rows;
  if (std::filesystem::exists(out)) {
    rows = merge_sweep_rows(parse_sweep_csv(read_text(out), out));
    const std::set<SweepPoint> mine(points.begin(), points.end());
    const std::string training = config.training_description();
    for (const SweepRow& row : rows) {
      const bool trained =
          row.point.method == SweepMethod::kTrained || row.point.method == SweepMethod::kLinear;
      require(mine.count(row.point) && row.V == config.V && row.k == config.k &&
                  (!trained || row.training == training),
              out + " holds a row of another sweep or shard (" + point_text(row.point) +
                  ", V = " + std::to_string(row.V) + ", k = " + std::to_string(row.k) +
                  "); give another --out or remove the file");
    }
  }
  std::set<SweepPoint> done;
  for (const SweepRow& row : rows) done.insert(row.point);
  size_t index = 0;
  for (const SweepPoint& point : points) {
    ++index;
    if (done.count(point)) continue;
    const std::string label = "sweep " + std::to_string(index) + "/" +
                              std::to_string(points.size()) + " " + point_text(point);
    Progress progress(label, "steps");
    const auto start = std::chrono::steady_clock::now();
    rows.push_back(
        run_point(config, point, [&](size_t step, size_t steps) { progress.update(step, steps); }));
    write_text_atomically(out, sweep_csv(rows));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s: eps %.4g, top-k %.4f (%.1f s)\n", label.c_str(), rows.back().mse,
                 rows.back().topk_exact, seconds);
  }
  const std::string text = sweep_csv(rows);
  if (!std::filesystem::exists(out)) write_text_atomically(out, text);
  // The rows as the file holds them (9 significant digits), so fits of this run and of `bloomnet
  // fit` on its file agree to the last bit.
  return parse_sweep_csv(text, out);
}

void add_sweep_command(CLI::App& app) {
  struct Options {
    SweepConfig config;
    std::vector<std::string> methods{"trained", "exact", "jl"};
    std::string loss = "ce2mse", schedule = "cosine", shard = "1/1", out;
    size_t threads = 0;
  };
  auto options = std::make_shared<Options>();
  SweepConfig& c = options->config;
  CLI::App* cmd = app.add_subcommand("sweep", "eps against hidden width for every method");
  add_unsigned(cmd, "--vocab", c.V, "Vocabulary size V")->required();
  add_unsigned(cmd, "--k", c.k, "Set size k")->required();
  add_unsigned(cmd, "--widths", c.widths, "Hidden widths, comma-separated")
      ->delimiter(',')
      ->required();
  cmd->add_option("--methods", options->methods,
                  "Comma-separated: trained, linear, exact, jl, theory")
      ->delimiter(',')
      ->capture_default_str();
  add_unsigned(cmd, "--seeds", c.seeds, "Seeds per (method, width)")->capture_default_str();
  add_unsigned(cmd, "--steps", c.steps, "Training steps (trained, linear)")->capture_default_str();
  add_unsigned(cmd, "--batch", c.batch, "Sets per training step")->capture_default_str();
  cmd->add_option("--lr", c.lr, "Adam learning rate")->capture_default_str();
  cmd->add_option("--loss", options->loss, "ce, mse or ce2mse")
      ->check(CLI::IsMember({"ce", "mse", "ce2mse"}))
      ->capture_default_str();
  cmd->add_option("--schedule", options->schedule, "const or cosine")
      ->check(CLI::IsMember({"const", "cosine"}))
      ->capture_default_str();
  add_unsigned(cmd, "--eval-sets", c.eval_sets, "Held-out sets per point")->capture_default_str();
  add_unsigned(cmd, "--eval-seed", c.eval_seed, "Seed of the held-out sets")->capture_default_str();
  add_unsigned(cmd, "--jl-tuning-sets", c.jl_tuning_sets, "Training sets tuning JL's beta, theta")
      ->capture_default_str();
  cmd->add_option("--shard", options->shard, "Run part I of N of the grid (I/N)")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "CSV of results (resumed when it exists)")->required();
  add_unsigned(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    SweepConfig config = options->config;
    config.methods.clear();
    for (const std::string& name : options->methods) {
      config.methods.push_back(sweep_method_from_string(name));
    }
    config.loss = loss_schedule_from_string(options->loss);
    config.schedule = schedule_from_string(options->schedule);
    const Shard shard = parse_shard(options->shard);
    const std::vector<SweepRow> rows = run_sweep(config, shard, options->out);
    nlohmann::json out = {{"out", options->out},
                          {"shard", options->shard},
                          {"rows", rows.size()},
                          {"grid_points", sweep_grid(config).size()}};
    if (rows.size() == sweep_grid(config).size()) out["fits"] = fits_json(fit_sweep(rows));
    std::cout << out.dump(2) << std::endl;
  });
}

void add_fit_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> inputs;
    std::string merged;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("fit", "Merge sweep CSVs (shards) and fit eps against width");
  cmd->add_option("inputs", options->inputs, "Sweep CSV files")->required();
  cmd->add_option("--merged", options->merged, "Write the merged rows to this CSV");
  cmd->callback([options] {
    if (!options->merged.empty()) require_writable(options->merged);
    std::vector<SweepRow> rows;
    for (const std::string& path : options->inputs) {
      for (SweepRow& row : parse_sweep_csv(read_text(path), path)) rows.push_back(std::move(row));
    }
    rows = merge_sweep_rows(std::move(rows));
    if (!options->merged.empty()) write_text_atomically(options->merged, sweep_csv(rows));
    const nlohmann::json out = {{"rows", rows.size()}, {"fits", fits_json(fit_sweep(rows))}};
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
