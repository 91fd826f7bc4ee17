// Any bytes as a weights file (safetensors): either a network whose every value is finite and
// whose file round-trips, or a clean Error. For checkpoints, the recorded training configuration
// is parsed as Trainer::resume parses it, and an exact net's recorded filter as eval reads it.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/trainer.hpp"
#include "bloomnet/weights_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bloomnet;
  try {
    const WeightsFile file = decode_weights({data, size}, "fuzz");
    for (float w : file.net.params()) {
      if (!std::isfinite(w)) __builtin_trap();  // the loader must refuse NaN and infinity
    }
    if (!(decode_weights(encode_weights(file.net, file.metadata, file.extra)).net == file.net)) {
      __builtin_trap();
    }
    exact_config(file.metadata);  // what eval reads to rebuild an exact net's filter
    const auto config = file.metadata.find("config");
    if (config != file.metadata.end()) validate(train_config_from_json(config->second));
  } catch (const Error&) {
  }
  return 0;
}
