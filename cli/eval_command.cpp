// bloomnet eval: held-out metrics of any weights file (SPEC section 5); for exact nets also the
// measured FPR against theory and the agreement with the Bloom filter the file records.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"
#include "metrics_json.hpp"
#include "progress.hpp"

namespace bloomnet::cli {

void add_eval_command(CLI::App& app) {
  struct Options {
    std::string weights;
    size_t k = 0, k_max = 0;
    double zipf = 0.0;
    size_t sets = 4096;
    uint64_t seed = 1;
    size_t threads = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("eval", "Held-out metrics of a weights file");
  cmd->add_option("--weights", options->weights, "Weights file (safetensors)")->required();
  add_unsigned(cmd, "--k", options->k, "Set size k")->required();
  add_unsigned(cmd, "--k-max", options->k_max, "Largest set size (sets of k..k-max tokens)");
  cmd->add_option("--zipf", options->zipf, "Zipf exponent of the tokens (0: uniform)")
      ->capture_default_str();
  add_unsigned(cmd, "--sets", options->sets, "Held-out sets")->capture_default_str();
  add_unsigned(cmd, "--seed", options->seed, "Seed of the held-out sets")->capture_default_str();
  add_unsigned(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    const WeightsFile file = load_weights(options->weights);
    const std::optional<ExactConfig> exact = exact_config(file.metadata);
    std::shared_ptr<const HashFamily> family;
    if (exact) family = std::make_shared<HashFamily>(file.net.V(), exact->m, exact->h, exact->seed);
    Progress progress("eval", "sets");
    const EvalConfig config{
        .k = options->k,
        .k_max = options->k_max,
        .zipf = options->zipf,
        .sets = options->sets,
        .seed = options->seed,
        .progress = [&](size_t done, size_t total) { progress.update(done, total); }};
    const Metrics metrics = evaluate(file.net, config, family);

    nlohmann::json out = {
        {"weights", options->weights},
        {"kind", file.metadata.count("kind") ? nlohmann::json(file.metadata.at("kind")) : nullptr},
        {"V", file.net.V()},
        {"d", file.net.d()},
        {"k", options->k},
        {"seed", options->seed},
        {"kernels", simd_kernels().name}};
    out.update(metrics_json(metrics));
    if (exact) {
      out["m"] = exact->m;
      out["h"] = exact->h;
      out["form"] = to_string(exact->form);
      out["beta"] = exact->beta;
      out["fpr_theory"] = fpr_theory(exact->m, exact->h, options->k);
      out["fpr_theory_distinct"] = fpr_distinct(exact->m, exact->h, options->k).mean;
    }
    std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
