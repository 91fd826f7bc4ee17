// bloomnet compile: a network compiled into the bit-packed filter of its own hashes (compile.hpp),
// saved as a compiled filter file, with its agreement and speed against the network on stdout.
#include <iostream>
#include <memory>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/compile.hpp"
#include "bloomnet/results_json.hpp"
#include "bloomnet/weights_io.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace bloomnet::cli {

void add_compile_command(CLI::App& app) {
  struct Options {
    std::string weights, out;
    size_t k = 0, sets = 4096, threads = 0;
    uint64_t seed = 1;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "compile", "Compile a network into the bit-packed Bloom filter of its hashes");
  cmd->add_option("--weights", options->weights, "Weights file (safetensors)")->required();
  cmd->add_option("--out", options->out, "Compiled filter file to write (safetensors)")->required();
  add_count(cmd, "--k", options->k, "Set size k of the held-out queries")->required();
  with_default(add_count(cmd, "--sets", options->sets, "Held-out sets"), options->sets);
  with_default(add_count(cmd, "--seed", options->seed, "Seed of the held-out sets"), options->seed);
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->callback([options] {
    use_threads(options->threads);
    require_writable(options->out);
    const WeightsFile file = load_weights(options->weights);
    const CompiledNetwork compiled =
        compile_network(file.net, options->k, options->sets, options->seed);
    save_compiled_filter(options->out, compiled.filter,
                         {{"source", "compiled from a network's W_in modes"}});
    nlohmann::json summary = compiled;
    summary["weights"] = options->weights;
    summary["out"] = options->out;
    std::cout << summary.dump(2) << std::endl;
  });
}

}  // namespace bloomnet::cli
