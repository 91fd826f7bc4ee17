#include "safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bloomnet/error.hpp"

namespace bloomnet::safetensors {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; this port reads it as native values");

namespace {

using nlohmann::json;

uint64_t dtype_bytes(const std::string& dtype) {
  static const std::map<std::string, uint64_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
  const auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

// Reads one tensor entry of the header, checking its structure and that its byte range matches
// its shape and lies inside the data section.
TensorEntry parse_entry(const std::string& name, const json& value, uint64_t data_size,
                        const std::string& where) {
  const std::string at = where + ": tensor '" + name + "'";
  require(value.is_object(), at + " is not a JSON object");
  TensorEntry entry{name, {}, {}, 0, 0};
  const auto dtype = value.find("dtype");
  require(dtype != value.end() && dtype->is_string(), at + " has no string 'dtype'");
  entry.dtype = dtype->get<std::string>();
  const uint64_t element_bytes = dtype_bytes(entry.dtype);
  require(element_bytes != 0, at + " has unknown dtype '" + entry.dtype + "'");
  const auto shape = value.find("shape");
  require(shape != value.end() && shape->is_array(), at + " has no 'shape' array");
  uint64_t bytes = element_bytes;
  for (const json& n : *shape) {
    require(n.is_number_unsigned(), at + " has a shape entry that is not a non-negative integer");
    entry.shape.push_back(n.get<uint64_t>());
    require(!__builtin_mul_overflow(bytes, entry.shape.back(), &bytes),
            at + " has a shape whose size overflows 64 bits");
  }
  const auto offsets = value.find("data_offsets");
  require(offsets != value.end() && offsets->is_array() && offsets->size() == 2 &&
              (*offsets)[0].is_number_unsigned() && (*offsets)[1].is_number_unsigned(),
          at + " needs 'data_offsets' [begin, end] of non-negative integers");
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  require(entry.begin <= entry.end, at + " has data_offsets with begin > end");
  require(entry.end <= data_size, at + " ends at byte " + std::to_string(entry.end) +
                                      " of a data section of " + std::to_string(data_size) +
                                      " bytes (truncated file?)");
  require(entry.end - entry.begin == bytes,
          at + " of shape " + shape_text(entry.shape) + " and dtype " + entry.dtype + " needs " +
              std::to_string(bytes) + " bytes but data_offsets give " +
              std::to_string(entry.end - entry.begin));
  return entry;
}

}  // namespace

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

Container parse(std::span<const uint8_t> bytes, const std::string& source) {
  require(bytes.size() >= 8,
          source + ": truncated: " + std::to_string(bytes.size()) +
              " bytes, less than the 8-byte header length of a safetensors file");
  uint64_t header_size;
  std::memcpy(&header_size, bytes.data(), 8);
  require(header_size <= kMaxHeaderBytes, source + ": header length " +
                                              std::to_string(header_size) + " exceeds the " +
                                              std::to_string(kMaxHeaderBytes) + "-byte limit");
  require(header_size <= bytes.size() - 8, source + ": truncated: header declares " +
                                               std::to_string(header_size) + " bytes but only " +
                                               std::to_string(bytes.size() - 8) + " follow");
  const uint64_t data_size = bytes.size() - 8 - header_size;

  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_size));
  } catch (const json::exception& e) {
    throw Error(source + ": header is not valid JSON: " + e.what());
  }
  require(header.is_object(), source + ": header is not a JSON object");

  Container out;
  out.data = bytes.data() + 8 + header_size;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      require(value.is_object(), source + ": __metadata__ is not a JSON object");
      for (const auto& [meta_key, meta_value] : value.items()) {
        require(meta_value.is_string(),
                source + ": __metadata__ value of '" + meta_key + "' is not a string");
        out.metadata[meta_key] = meta_value.get<std::string>();
      }
      continue;
    }
    out.tensors.push_back(parse_entry(key, value, data_size, source));
  }
  std::vector<const TensorEntry*> by_offset;
  for (const TensorEntry& e : out.tensors) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorEntry* a, const TensorEntry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    require(by_offset[i - 1]->end <= by_offset[i]->begin,
            source + ": tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name +
                "' overlap in the data section");
  }
  return out;
}

const TensorEntry& find_tensor(const Container& container, const std::string& name,
                               const std::string& dtype, size_t rank, const std::string& source,
                               const std::string& expected) {
  const auto it = std::find_if(container.tensors.begin(), container.tensors.end(),
                               [&](const TensorEntry& e) { return e.name == name; });
  require(it != container.tensors.end(), source + ": no tensor '" + name + "' (" + expected + ")");
  require(it->dtype == dtype, source + ": tensor '" + name + "' has dtype " + it->dtype +
                                  "; bloomnet reads " + dtype + " there");
  require(it->shape.size() == rank, source + ": tensor '" + name + "' has shape " +
                                        shape_text(it->shape) + ", expected rank " +
                                        std::to_string(rank));
  return *it;
}

std::vector<uint8_t> encode(const std::map<std::string, std::string>& metadata,
                            const std::vector<TensorSource>& tensors) {
  json header = json::object();
  json meta = json::object();
  for (const auto& [key, value] : metadata) meta[key] = value;
  header["__metadata__"] = meta;
  uint64_t offset = 0;
  for (const TensorSource& t : tensors) {
    header[t.name] = {{"dtype", t.dtype},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception&) {
    throw Error("file metadata must be valid UTF-8 text");
  }
  // Keeps the data 8-byte aligned, as safetensors does.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<uint8_t> out(8 + text.size() + offset);
  const uint64_t header_size = text.size();
  std::memcpy(out.data(), &header_size, 8);
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t* data = out.data() + 8 + text.size();
  for (const TensorSource& t : tensors) {
    if (t.bytes.empty()) continue;  // an empty span's data() may be null, which memcpy forbids
    std::memcpy(data, t.bytes.data(), t.bytes.size());
    data += t.bytes.size();
  }
  return out;
}

std::vector<uint8_t> read_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  require_file(std::filesystem::exists(status), what + " '" + path + "' does not exist");
  require_file(std::filesystem::is_regular_file(status),
               what + " '" + path + "' is not a regular file");
  std::ifstream in(path, std::ios::binary);
  require_file(in.good(), "cannot open " + what + " '" + path + "'");
  const auto size = std::filesystem::file_size(path, ec);
  require_file(!ec, "cannot read the size of '" + path + "'");
  std::vector<uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  require_file(static_cast<uint64_t>(in.gcount()) == size,
               "cannot read " + what + " '" + path + "'");
  return bytes;
}

}  // namespace bloomnet::safetensors
