// bloomnet eval: held-out metrics of any weights file (SPEC section 5); for exact nets also the
// measured FPR against theory and the agreement with the Bloom filter the file records
// (evaluation_json).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bloomnet/results_json.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace bloomnet::cli {

void add_eval_command(CLI::App& app) {
  struct Options {
    std::string weights;
    EvalConfig eval;
    size_t threads = 0;
  };
  auto options = std::make_shared<Options>();
  EvalConfig& e = options->eval;
  CLI::App* cmd = app.add_subcommand("eval", "Held-out metrics of a weights file");
  cmd->add_option("--weights", options->weights, "Weights file (safetensors)")->required();
  add_count(cmd, "--k", e.k, "Set size k")->required();
  add_count(cmd, "--k-max", e.k_max, "Largest set size (sets of k..k-max tokens)");
  with_default(add_number(cmd, "--zipf", e.zipf, "Zipf exponent of the tokens (0: uniform)"),
               e.zipf);
  with_default(add_count(cmd, "--sets", e.sets, "Held-out sets"), e.sets);
  with_default(add_count(cmd, "--seed", e.seed, "Seed of the held-out sets"), e.seed);
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    const WeightsFile file = load_weights(options->weights);
    ProgressBar progress("eval", "sets");
    EvalConfig config = options->eval;
    config.progress = [&](size_t done, size_t total) { progress.update(done, total); };
    nlohmann::json out = {{"weights", options->weights}};
    out.update(evaluation_json(file.net, file.metadata, config));
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
