// The safetensors container (an 8-byte little-endian header length N, N bytes of JSON header,
// then raw little-endian data), shared by every file format of the library: weights, checkpoints
// (weights_io) and compiled filters (compiled_filter). Parsing checks the container's structure
// (header length, JSON, dtypes, shapes against byte ranges, ranges inside the data and not
// overlapping) and throws Error naming the first problem; what the tensors mean is the caller's.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace bloomnet::safetensors {

// safetensors' own bound on the header: larger headers are refused before being read.
inline constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct TensorEntry {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range within the data section
};

struct Container {
  std::map<std::string, std::string> metadata;
  std::vector<TensorEntry> tensors;
  const uint8_t* data = nullptr;  // the data section, inside the parsed bytes
};

// The container of a whole file held in memory; `source` names it in error messages.
Container parse(std::span<const uint8_t> bytes, const std::string& source);

// The tensor called `name`, of this dtype and rank; Error naming the file's problem otherwise.
// `expected` says what the format holds, for the message of a missing tensor.
const TensorEntry& find_tensor(const Container& container, const std::string& name,
                               const std::string& dtype, size_t rank, const std::string& source,
                               const std::string& expected);

std::string shape_text(const std::vector<uint64_t>& shape);

struct TensorSource {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  std::span<const uint8_t> bytes;
};

// The file's bytes; tensors are laid out in the given order, 8-byte aligned.
std::vector<uint8_t> encode(const std::map<std::string, std::string>& metadata,
                            const std::vector<TensorSource>& tensors);

template <class T>
std::span<const uint8_t> as_bytes(std::span<const T> values) {
  return {reinterpret_cast<const uint8_t*>(values.data()), values.size_bytes()};
}

// A whole file's bytes; Error when it is missing, not a regular file, or unreadable. `what` names
// the kind of file in messages ("weights file").
std::vector<uint8_t> read_file(const std::string& path, const std::string& what);

}  // namespace bloomnet::safetensors
