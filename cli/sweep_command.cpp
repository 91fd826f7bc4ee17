// bloomnet sweep: the width study (width_sweep.hpp) of one shard into a CSV that survives
// interruptions; with every grid point present, its fits (sweep_fit.hpp).
//
// bloomnet fit: merges sweep CSVs (shards, or one cat of them), prints the fits of ln eps
// against d and against ln d per method, and with --merged writes the rows as one canonical CSV.
#include <iostream>
#include <memory>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/results_json.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/width_sweep.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace bloomnet::cli {
namespace {

// One line per method on stderr, for a reader: law, tail slope and C with their 95% intervals.
void print_fits(const std::vector<MethodFit>& fits) {
  for (const MethodFit& fit : fits) {
    std::cerr << to_string(fit.method) << ": " << to_string(fit.law) << " (" << fit.reason
              << "), tail slope " << format_measured({fit.linear.slope, fit.slope_ci}, "%.4g")
              << " per unit of d, C " << format_measured(fit.width_per_nat, "%.3g") << ", on "
              << fit.tail.size() << " widths\n";
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  struct Options {
    SweepConfig config{.methods = {SweepMethod::kTrained, SweepMethod::kExact, SweepMethod::kJl}};
    std::string shard = "1/1", out;
    size_t threads = 0, jobs = 1;
  };
  auto options = std::make_shared<Options>();
  SweepConfig& c = options->config;
  CLI::App* cmd = app.add_subcommand("sweep", "eps against hidden width for every method");
  add_count(cmd, "--vocab", c.V, "Vocabulary size V")->required();
  add_count(cmd, "--k", c.k, "Set size k (the least one with --k-max)")->required();
  add_count(cmd, "--k-max", c.k_max, "Largest set size: sets of k..k-max tokens");
  with_default(add_number(cmd, "--zipf", c.zipf, "Zipf exponent of the tokens (0: uniform)"),
               c.zipf);
  add_counts(cmd, "--widths", c.widths, "Hidden widths, comma-separated")->required();
  add_choices(cmd, "--methods", c.methods, "Methods, comma-separated");
  with_default(add_count(cmd, "--seeds", c.seeds, "Seeds per (method, width)"), c.seeds);
  with_default(add_count(cmd, "--steps", c.steps, "Training steps (trained, linear)"), c.steps);
  with_default(add_count(cmd, "--batch", c.batch, "Sets per training step"), c.batch);
  with_default(add_number(cmd, "--lr", c.lr, "Adam learning rate"), c.lr);
  add_choice(cmd, "--loss", c.loss, "Training loss");
  add_choice(cmd, "--schedule", c.schedule, "Learning-rate schedule");
  with_default(add_count(cmd, "--eval-sets", c.eval_sets, "Held-out sets per point"), c.eval_sets);
  with_default(add_count(cmd, "--eval-seed", c.eval_seed, "Seed of the held-out sets"),
               c.eval_seed);
  with_default(add_count(cmd, "--max-eval-sets", c.max_eval_sets,
                         "Draw held-out sets up to this many until " +
                             std::to_string(kMinFalsePositives) + " false positives are seen"),
               c.max_eval_sets);
  with_default(add_count(cmd, "--tuning-sets", c.tuning_sets,
                         "Training sets choosing JL's beta, theta and the exact h"),
               c.tuning_sets);
  with_default(add_count(cmd, "--jobs", options->jobs, "Points run side by side"), options->jobs);
  cmd->add_option("--shard", options->shard, "Run part I of N of the grid (I/N)")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "CSV of results (resumed when it exists)")->required();
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    const SweepConfig& config = options->config;
    StderrObserver observer;
    const std::vector<SweepRow> rows =
        run_sweep(config, parse_shard(options->shard), options->out, observer, options->jobs);
    const size_t grid = sweep_grid(config).size();
    nlohmann::json out = {{"out", options->out},
                          {"shard", options->shard},
                          {"rows", rows.size()},
                          {"grid_points", grid}};
    if (rows.size() == grid) {
      const std::vector<MethodFit> fits = fit_sweep(rows);
      out["fits"] = fits;
      print_fits(fits);
    }
    std::cout << out.dump(2) << std::endl;
  });
}

void add_fit_command(CLI::App& app) {
  struct Options {
    std::vector<std::filesystem::path> inputs;
    std::string merged;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("fit", "Merge sweep CSVs (shards) and fit eps against width");
  cmd->add_option("inputs", options->inputs, "Sweep CSV files")->required();
  cmd->add_option("--merged", options->merged, "Write the merged rows to this CSV");
  cmd->callback([options] {
    if (!options->merged.empty()) require_writable(options->merged);
    const std::vector<SweepRow> rows = read_sweep_csvs(options->inputs);
    if (!options->merged.empty()) write_text_atomically(options->merged, sweep_csv(rows));
    const std::vector<MethodFit> fits = fit_sweep(rows);
    print_fits(fits);
    const nlohmann::json out = {{"rows", rows.size()}, {"fits", fits}};
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
