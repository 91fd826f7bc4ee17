// Weights files in the safetensors format (SPEC section 7): an 8-byte little-endian header length
// N, N bytes of JSON header, then raw little-endian data. Tensors, all dtype F32:
//   W_in [V, d], b_in [d], W_out [V, d] (the SPEC's orientation, not our transposed buffer),
//   b_out [V].
// "__metadata__" holds string values: format = bloomnet/1, V, d (checked against the shapes when
// present), activation = relu | linear (relu when absent), kind = exact | trained | checkpoint and
// the configuration (construct.hpp, trainer.hpp). Files written by PyTorch's or numpy's safetensors
// tools from those four tensors load as well. Further 1-D F32 tensors (a checkpoint's optimizer
// state) are read into `extra`; tensors of other dtypes or ranks are checked and ignored.
//
// Loading checks everything before trusting it (header length, JSON, dtypes, shapes and their
// agreement, offsets inside the data and not overlapping, every value finite) and throws Error
// naming the first problem. Saving goes through AtomicFile.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "bloomnet/network.hpp"

namespace bloomnet {

using Metadata = std::map<std::string, std::string>;
using ExtraTensors = std::map<std::string, std::vector<float>>;

struct WeightsFile {
  Network net;
  Metadata metadata;
  ExtraTensors extra;
};

// Throws Error naming the first tensor and index of the network that holds NaN or infinity.
void require_finite(const Network& net);

// The file's bytes. metadata gains format = bloomnet/1, V and d; extra tensors are stored 1-D.
// Throws Error for non-finite weights (require_finite): no file is written that loading refuses.
std::vector<uint8_t> encode_weights(const Network& net, const Metadata& metadata,
                                    const ExtraTensors& extra = {});
// Parses a whole file held in memory; `source` names it in error messages.
WeightsFile decode_weights(std::span<const uint8_t> bytes, const std::string& source = "weights");

void save_weights(const std::filesystem::path& path, const Network& net, const Metadata& metadata,
                  const ExtraTensors& extra = {});
WeightsFile load_weights(const std::filesystem::path& path);

}  // namespace bloomnet
