// bloomnet compare: reads a network as a Bloom filter (SPEC section 5, analysis.hpp): modes and
// snap fraction of W_in, the extracted hashes, the learned form, the hidden layer against the
// union bits, and the net's positives against the filter of its own hashes. JSON on stdout; with
// --out, the data of the figures and a markdown section (reading_files.hpp).
#include <iostream>
#include <memory>

#include "bloomnet/analysis.hpp"
#include "bloomnet/atomic_file.hpp"
#include "bloomnet/reading_files.hpp"
#include "bloomnet/results_json.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace bloomnet::cli {

void add_compare_command(CLI::App& app) {
  struct Options {
    std::string weights, out;
    EvalConfig eval;
    size_t threads = 0;
  };
  auto options = std::make_shared<Options>();
  EvalConfig& e = options->eval;
  CLI::App* cmd =
      app.add_subcommand("compare", "Read a (trained) network as the Bloom filter of its hashes");
  cmd->add_option("--weights", options->weights, "Weights file (safetensors)")->required();
  add_count(cmd, "--k", e.k, "Set size k")->required();
  with_default(add_count(cmd, "--sets", e.sets, "Held-out sets"), e.sets);
  with_default(add_count(cmd, "--seed", e.seed, "Seed of the held-out sets"), e.seed);
  cmd->add_option("--out", options->out, "Directory for COMPARE.md and the figures' data");
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    if (!options->out.empty()) prepare_output_dir(options->out);
    const WeightsFile file = load_weights(options->weights);
    ProgressBar progress("compare", "sets");
    EvalConfig config = options->eval;
    config.progress = [&](size_t done, size_t total) { progress.update(done, total); };
    const NetworkReading reading = read_network(file.net, config);
    nlohmann::json summary = reading_json(file.net, reading, config.k);
    summary["weights"] = options->weights;
    summary["sets"] = config.sets;
    summary["seed"] = config.seed;
    if (!options->out.empty()) {
      write_reading(options->out, file.net, reading, summary, "Reading " + options->weights);
    }
    std::cout << summary.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
