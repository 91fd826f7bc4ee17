// bloomnet construct: the exact network of a seeded Bloom filter (SPEC section 4), saved as a
// safetensors file.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"

namespace bloomnet::cli {

void add_construct_command(CLI::App& app) {
  struct Options {
    size_t V = 0, m = 0, h = 0;
    std::string form = "complement";
    float beta = 20.0f;
    uint64_t seed = 0;
    std::string out;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("construct", "Build the exact network of a Bloom filter");
  add_unsigned(cmd, "--vocab", options->V, "Vocabulary size V")->required();
  add_unsigned(cmd, "--width", options->m, "Filter bits m (hidden width d = m, or 2m for union)")
      ->required();
  add_unsigned(cmd, "--hashes", options->h, "Hash positions per token h")->required();
  cmd->add_option("--form", options->form, "complement (one neuron per bit) or union (two)")
      ->capture_default_str();
  cmd->add_option("--beta", options->beta, "Logit gap between positives and the rest")
      ->capture_default_str();
  add_unsigned(cmd, "--seed", options->seed, "Seed of the hash family")->capture_default_str();
  cmd->add_option("--out", options->out, "Weights file to write (safetensors)")->required();
  cmd->callback([options] {
    const ExactForm form = parse_exact_form(options->form);
    const HashFamily family(options->V, options->m, options->h, options->seed);
    const Network net = construct_exact(family, options->beta, form);
    const ExactConfig config{options->m, options->h, options->seed, options->beta, form};
    save_weights(options->out, net, exact_metadata(config));
    nlohmann::json summary = {
        {"out", options->out},   {"kind", "exact"},       {"V", net.V()},
        {"d", net.d()},          {"m", options->m},       {"h", options->h},
        {"seed", options->seed}, {"beta", options->beta}, {"form", options->form}};
    std::cout << summary.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
