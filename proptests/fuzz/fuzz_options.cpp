// The text the command line turns into values beyond CLI11's own parsing: --shard I/N, the names
// of every enum (methods, losses, optimizers, schedules, activations, forms), counts and numbers
// through the one parser (parse.hpp), and a training configuration as JSON (the `config` of
// trained files and checkpoints). Each either parses to something valid or is a clean Error.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"
#include "bloomnet/trainer.hpp"
#include "bloomnet/width_sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bloomnet;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto quietly = [](auto parse) {
    try {
      parse();
    } catch (const Error&) {
    }
  };
  quietly([&] {
    const Shard shard = parse_shard(text);
    if (shard.index < 1 || shard.index > shard.count) __builtin_trap();
  });
  // A name that parses is printed back as itself.
  auto names_round_trip = [&](auto parsed) {
    if (to_string(parsed) != text) __builtin_trap();
  };
  quietly([&] { names_round_trip(from_string<SweepMethod>(text)); });
  quietly([&] { names_round_trip(from_string<LossSchedule>(text)); });
  quietly([&] { names_round_trip(from_string<OptimizerKind>(text)); });
  quietly([&] { names_round_trip(from_string<Schedule>(text)); });
  quietly([&] { names_round_trip(from_string<Activation>(text)); });
  quietly([&] { names_round_trip(from_string<ExactForm>(text)); });
  // A count that parses is plain digits, and prints back as the text without leading zeros.
  quietly([&] {
    const uint64_t value = parse_count(text, "count");
    const size_t first = std::min(text.find_first_not_of('0'), text.size() - 1);
    if (std::to_string(value) != text.substr(first)) __builtin_trap();
  });
  quietly([&] {
    if (!std::isfinite(parse_number(text, "number"))) __builtin_trap();
  });
  quietly([&] {
    const TrainConfig config = train_config_from_json(text);
    validate(config);
    if (to_json(train_config_from_json(to_json(config))) != to_json(config)) __builtin_trap();
  });
  return 0;
}
