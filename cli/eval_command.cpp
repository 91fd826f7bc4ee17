// bloomnet eval: held-out metrics of any weights file (SPEC section 5); for exact nets also the
// measured FPR against theory and the agreement with the Bloom filter the file records.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/metrics.hpp"
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
    const std::optional<ExactConfig> exact = exact_config(file.metadata);
    std::shared_ptr<const HashFamily> family;
    if (exact) family = std::make_shared<HashFamily>(file.net.V(), exact->m, exact->h, exact->seed);
    ProgressBar progress("eval", "sets");
    EvalConfig config = options->eval;
    config.progress = [&](size_t done, size_t total) { progress.update(done, total); };
    const Metrics metrics = evaluate(file.net, config, family);

    nlohmann::json out = {
        {"weights", options->weights},
        {"kind", file.metadata.count("kind") ? nlohmann::json(file.metadata.at("kind")) : nullptr},
        {"V", file.net.V()},
        {"d", file.net.d()},
        {"k", config.k},
        {"seed", config.seed},
        {"kernels", simd_kernels().name}};
    out.update(nlohmann::json(metrics));
    if (exact) {
      out["m"] = exact->m;
      out["h"] = exact->h;
      out["form"] = to_string(exact->form);
      out["beta"] = exact->beta;
      out["fpr_theory"] = fpr_theory(exact->m, exact->h, config.k);
      out["fpr_theory_distinct"] = fpr_distinct(exact->m, exact->h, config.k).mean;
    }
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
