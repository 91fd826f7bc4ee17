// Numeric options and lists as the commands declare them (cli/options.hpp: every count, number
// and name through the library's parser): the fuzzed text, split on spaces, is parsed by an app
// with sweep's and train's options. Parsing either gives values of the declared types, each the
// parser's reading of its text, or a CLI11 parse error or a bloomnet::Error, which main() turns
// into one line and exit 2; nothing else may escape.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "bloomnet/error.hpp"
#include "bloomnet/trainer.hpp"
#include "bloomnet/width_sweep.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bloomnet;
  std::vector<std::string> words;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string word; in >> word;) words.push_back(word);
  if (words.size() > 64) return 0;

  CLI::App app{"fuzz"};
  std::vector<size_t> widths;
  size_t vocab = 0, k_max = 0, steps = 0;
  uint64_t seed = 0;
  double lr = 0.01, zipf = 0.0;
  float beta = 20.0f;
  LossSchedule loss = LossSchedule::kCrossEntropy;
  std::vector<SweepMethod> methods;
  std::string shard = "1/1";
  cli::add_counts(&app, "--widths", widths, "widths");
  cli::add_count(&app, "--vocab", vocab, "V");
  cli::add_count(&app, "--k-max", k_max, "k max");
  cli::add_count(&app, "--steps", steps, "steps");
  cli::add_count(&app, "--seed", seed, "seed");
  cli::add_number(&app, "--lr", lr, "lr");
  cli::add_number(&app, "--zipf", zipf, "zipf");
  cli::add_number(&app, "--beta", beta, "beta");
  cli::add_choice(&app, "--loss", loss, "loss");
  cli::add_choices(&app, "--methods", methods, "methods");
  app.add_option("--shard", shard, "shard");
  // CLI11 parses argv back to front.
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  try {
    app.parse(reversed);
    if (!std::isfinite(lr) || !std::isfinite(zipf) || !std::isfinite(beta)) __builtin_trap();
    const Shard parsed = parse_shard(shard);
    if (parsed.index < 1 || parsed.index > parsed.count) __builtin_trap();
  } catch (const CLI::ParseError&) {
  } catch (const Error&) {
  }
  return 0;
}
