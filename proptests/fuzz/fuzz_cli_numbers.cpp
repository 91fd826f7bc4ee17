// Numeric options and lists as the commands declare them (cli/commands.hpp's add_unsigned, CLI11's
// comma lists): the fuzzed text, split on spaces, is parsed by an app with sweep's and train's
// numeric options. Parsing either gives values of the declared types, none negative, or a
// CLI11 parse error that main() turns into one line and exit 2; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "bloomnet/error.hpp"
#include "bloomnet/width_sweep.hpp"
#include "commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> words;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string word; in >> word;) words.push_back(word);
  if (words.size() > 64) return 0;

  CLI::App app{"fuzz"};
  std::vector<size_t> widths;
  size_t vocab = 0, k_max = 0, steps = 0;
  uint64_t seed = 0;
  double lr = 0.01, zipf = 0.0;
  std::string shard = "1/1";
  bloomnet::cli::add_unsigned(&app, "--widths", widths, "widths")->delimiter(',');
  bloomnet::cli::add_unsigned(&app, "--vocab", vocab, "V");
  bloomnet::cli::add_unsigned(&app, "--k-max", k_max, "k max");
  bloomnet::cli::add_unsigned(&app, "--steps", steps, "steps");
  bloomnet::cli::add_unsigned(&app, "--seed", seed, "seed");
  app.add_option("--lr", lr, "lr");
  app.add_option("--zipf", zipf, "zipf");
  app.add_option("--shard", shard, "shard");
  // CLI11 parses argv back to front.
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  try {
    app.parse(reversed);
    const bloomnet::Shard parsed = bloomnet::parse_shard(shard);
    if (parsed.index < 1 || parsed.index > parsed.count) __builtin_trap();
  } catch (const CLI::ParseError&) {
  } catch (const bloomnet::Error&) {
  }
  return 0;
}
