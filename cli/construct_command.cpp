// bloomnet construct: the exact network of a seeded Bloom filter (SPEC section 4), saved as a
// safetensors file.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bloomnet/construct.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace bloomnet::cli {

void add_construct_command(CLI::App& app) {
  struct Options {
    size_t V = 0;
    ExactConfig exact{.beta = 20.0f};
    std::string out;
  };
  auto options = std::make_shared<Options>();
  ExactConfig& e = options->exact;
  CLI::App* cmd = app.add_subcommand("construct", "Build the exact network of a Bloom filter");
  add_count(cmd, "--vocab", options->V, "Vocabulary size V")->required();
  add_count(cmd, "--width", e.m, "Filter bits m (hidden width d = m, or 2m for union)")->required();
  add_count(cmd, "--hashes", e.h, "Hash positions per token h")->required();
  add_choice(cmd, "--form", e.form, "complement: one neuron per bit; union: two");
  with_default(add_number(cmd, "--beta", e.beta, "Logit gap between positives and the rest"),
               e.beta);
  with_default(add_count(cmd, "--seed", e.seed, "Seed of the hash family"), e.seed);
  cmd->add_option("--out", options->out, "Weights file to write (safetensors)")->required();
  cmd->callback([options] {
    const ExactConfig& config = options->exact;
    const HashFamily family(options->V, config.m, config.h, config.seed);
    const Network net = construct_exact(family, config.beta, config.form);
    save_weights(options->out, net, exact_metadata(config));
    nlohmann::json summary = {
        {"out", options->out}, {"kind", "exact"},     {"V", net.V()},
        {"d", net.d()},        {"m", config.m},       {"h", config.h},
        {"seed", config.seed}, {"beta", config.beta}, {"form", to_string(config.form)}};
    std::cout << summary.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
