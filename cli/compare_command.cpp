// bloomnet compare: reads a network as a Bloom filter (SPEC section 5): modes and snap fraction of
// W_in, the extracted hashes, the learned form, the hidden layer against the union bits, and the
// net's positives against the filter of its own hashes. JSON on stdout; with --out, the data of
// the figures and a markdown section (network_reading.hpp).
#include <iostream>
#include <memory>

#include "bloomnet/analysis.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"
#include "network_reading.hpp"
#include "progress.hpp"

namespace bloomnet::cli {

void add_compare_command(CLI::App& app) {
  struct Options {
    std::string weights, out;
    size_t k = 0, sets = 4096, threads = 0;
    uint64_t seed = 1;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("compare", "Read a (trained) network as the Bloom filter of its hashes");
  cmd->add_option("--weights", options->weights, "Weights file (safetensors)")->required();
  add_unsigned(cmd, "--k", options->k, "Set size k")->required();
  add_unsigned(cmd, "--sets", options->sets, "Held-out sets")->capture_default_str();
  add_unsigned(cmd, "--seed", options->seed, "Seed of the held-out sets")->capture_default_str();
  cmd->add_option("--out", options->out, "Directory for COMPARE.md and the figures' data");
  add_unsigned(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    if (!options->out.empty()) prepare_output_dir(options->out);
    const WeightsFile file = load_weights(options->weights);
    Progress progress("compare", "sets");
    const EvalConfig config{
        .k = options->k,
        .sets = options->sets,
        .seed = options->seed,
        .progress = [&](size_t done, size_t total) { progress.update(done, total); }};
    const NetworkReading reading = read_network(file.net, config);
    nlohmann::json summary = reading_json(file.net, reading, options->k);
    summary["weights"] = options->weights;
    summary["sets"] = options->sets;
    summary["seed"] = options->seed;
    if (!options->out.empty()) {
      write_reading(options->out, file.net, reading, summary, "Reading " + options->weights);
    }
    std::cout << summary.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
