// The text the command line turns into values beyond CLI11's own parsing: --shard I/N, the names
// of methods, losses, optimizers, schedules and activations, and a training configuration as JSON
// (the `config` of trained files and checkpoints). Each either parses to something valid or is a
// clean Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bloomnet/error.hpp"
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
  quietly([&] { sweep_method_from_string(text); });
  quietly([&] { loss_schedule_from_string(text); });
  quietly([&] { optimizer_kind_from_string(text); });
  quietly([&] { schedule_from_string(text); });
  quietly([&] { activation_from_string(text); });
  quietly([&] {
    const TrainConfig config = train_config_from_json(text);
    validate(config);
    if (to_json(train_config_from_json(to_json(config))) != to_json(config)) __builtin_trap();
  });
  return 0;
}
