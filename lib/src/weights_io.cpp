#include "bloomnet/weights_io.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"

namespace bloomnet {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; this port reads it as native floats");

namespace {

using nlohmann::json;

struct TensorEntry {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range within the data section
};

struct TensorSource {
  std::string name;
  std::span<const float> values;
  std::vector<uint64_t> shape;
};

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

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

const TensorEntry& find_f32(const std::vector<TensorEntry>& entries, const std::string& name,
                            size_t rank, const std::string& where) {
  const auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const TensorEntry& e) { return e.name == name; });
  require(it != entries.end(),
          where + ": no tensor '" + name + "' (a bloomnet network has W_in, b_in, W_out, b_out)");
  require(it->dtype == "F32",
          where + ": tensor '" + name + "' has dtype " + it->dtype + "; bloomnet reads F32 only");
  require(it->shape.size() == rank, where + ": tensor '" + name + "' has shape " +
                                        shape_text(it->shape) + ", expected rank " +
                                        std::to_string(rank));
  return *it;
}

// Copies a tensor's floats out of the data section, refusing NaN and infinity. For a 2-D tensor
// the index in the message is [row, column].
void copy_finite(const uint8_t* data, const TensorEntry& entry, std::span<float> out,
                 const std::string& where) {
  if (out.empty()) return;  // an empty span's data() may be null, which memcpy forbids
  std::memcpy(out.data(), data + entry.begin, out.size() * sizeof(float));
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::isfinite(out[i])) continue;
    std::string index = std::to_string(i);
    if (entry.shape.size() == 2) {
      index = std::to_string(i / entry.shape[1]) + ", " + std::to_string(i % entry.shape[1]);
    }
    throw Error(where + ": tensor '" + entry.name + "' holds " +
                (std::isnan(out[i]) ? "NaN" : "infinity") + " at [" + index + "]");
  }
}

}  // namespace

std::vector<uint8_t> encode_weights(const Network& net, const Metadata& metadata,
                                    const ExtraTensors& extra) {
  const size_t V = net.V(), d = net.d();
  std::vector<float> W_out(V * d);
  for (size_t t = 0; t < V; ++t) {
    for (size_t j = 0; j < d; ++j) W_out[t * d + j] = net.W_out(t, j);
  }
  std::vector<TensorSource> tensors = {{"W_in", net.W_in(), {V, d}},
                                       {"b_in", net.b_in(), {d}},
                                       {"W_out", W_out, {V, d}},
                                       {"b_out", net.b_out(), {V}}};
  for (const auto& [name, values] : extra) {
    require(name != "W_in" && name != "b_in" && name != "W_out" && name != "b_out" &&
                name != "__metadata__",
            "extra tensor name '" + name + "' is reserved");
    tensors.push_back({name, values, {values.size()}});
  }
  json header = json::object();
  json meta = json::object();
  for (const auto& [key, value] : metadata) meta[key] = value;
  meta["format"] = "bloomnet/1";
  meta["V"] = std::to_string(V);
  meta["d"] = std::to_string(d);
  header["__metadata__"] = meta;
  uint64_t offset = 0;
  for (const TensorSource& t : tensors) {
    const uint64_t bytes = t.values.size() * sizeof(float);
    header[t.name] = {
        {"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception&) {
    throw Error("weights metadata must be valid UTF-8 text");
  }
  text.append((8 - text.size() % 8) % 8,
              ' ');  // keeps the data 8-byte aligned, as safetensors does

  std::vector<uint8_t> out(8 + text.size() + offset);
  const uint64_t header_size = text.size();
  std::memcpy(out.data(), &header_size, 8);
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t* data = out.data() + 8 + text.size();
  for (const TensorSource& t : tensors) {
    if (t.values.empty()) continue;  // an empty vector's data() may be null, which memcpy forbids
    std::memcpy(data, t.values.data(), t.values.size() * sizeof(float));
    data += t.values.size() * sizeof(float);
  }
  return out;
}

WeightsFile decode_weights(std::span<const uint8_t> bytes, const std::string& source) {
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
  const uint8_t* data = bytes.data() + 8 + header_size;

  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_size));
  } catch (const json::exception& e) {
    throw Error(source + ": header is not valid JSON: " + e.what());
  }
  require(header.is_object(), source + ": header is not a JSON object");

  Metadata metadata;
  std::vector<TensorEntry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      require(value.is_object(), source + ": __metadata__ is not a JSON object");
      for (const auto& [meta_key, meta_value] : value.items()) {
        require(meta_value.is_string(),
                source + ": __metadata__ value of '" + meta_key + "' is not a string");
        metadata[meta_key] = meta_value.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(key, value, data_size, source));
  }
  std::vector<const TensorEntry*> by_offset;
  for (const TensorEntry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorEntry* a, const TensorEntry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    require(by_offset[i - 1]->end <= by_offset[i]->begin,
            source + ": tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name +
                "' overlap in the data section");
  }

  const TensorEntry& W_in = find_f32(entries, "W_in", 2, source);
  const TensorEntry& b_in = find_f32(entries, "b_in", 1, source);
  const TensorEntry& W_out = find_f32(entries, "W_out", 2, source);
  const TensorEntry& b_out = find_f32(entries, "b_out", 1, source);
  const uint64_t V = W_in.shape[0], d = W_in.shape[1];
  require(V >= 1 && d >= 1,
          source + ": W_in has shape " + shape_text(W_in.shape) + "; V and d must be at least 1");
  const std::string expected = " (W_in is " + shape_text(W_in.shape) + ")";
  require(b_in.shape[0] == d, source + ": b_in has shape " + shape_text(b_in.shape) +
                                  ", expected [" + std::to_string(d) + "]" + expected);
  require(W_out.shape == W_in.shape, source + ": W_out has shape " + shape_text(W_out.shape) +
                                         ", expected " + shape_text(W_in.shape) + expected);
  require(b_out.shape[0] == V, source + ": b_out has shape " + shape_text(b_out.shape) +
                                   ", expected [" + std::to_string(V) + "]" + expected);

  // Our files repeat V and d in the metadata; a disagreement with the shapes means corruption.
  for (const auto& [key, value] : {std::pair{"V", V}, std::pair{"d", d}}) {
    const auto it = metadata.find(key);
    require(it == metadata.end() || it->second == std::to_string(value),
            source + ": metadata " + key + " = '" + (it == metadata.end() ? "" : it->second) +
                "' disagrees with the tensor shapes (" + key + " = " + std::to_string(value) + ")");
  }
  WeightsFile file{Network(V, d), std::move(metadata), {}};
  copy_finite(data, W_in, file.net.W_in(), source);
  copy_finite(data, b_in, file.net.b_in(), source);
  copy_finite(data, b_out, file.net.b_out(), source);
  std::vector<float> rows(V * d);
  copy_finite(data, W_out, rows, source);
  for (size_t t = 0; t < V; ++t) {
    for (size_t j = 0; j < d; ++j) file.net.set_W_out(t, j, rows[t * d + j]);
  }
  for (const TensorEntry& e : entries) {
    if (e.dtype != "F32" || e.shape.size() != 1 || e.name == "b_in" || e.name == "b_out") continue;
    std::vector<float>& values = file.extra[e.name];
    values.resize(e.shape[0]);
    copy_finite(data, e, values, source);
  }
  return file;
}

void save_weights(const std::filesystem::path& path, const Network& net, const Metadata& metadata,
                  const ExtraTensors& extra) {
  const std::vector<uint8_t> bytes = encode_weights(net, metadata, extra);
  AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

WeightsFile load_weights(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  require(std::filesystem::exists(status), "weights file '" + path.string() + "' does not exist");
  require(std::filesystem::is_regular_file(status),
          "weights file '" + path.string() + "' is not a regular file");
  std::ifstream in(path, std::ios::binary);
  require(in.good(), "cannot open weights file '" + path.string() + "'");
  const auto size = std::filesystem::file_size(path, ec);
  require(!ec, "cannot read the size of '" + path.string() + "'");
  std::vector<uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  require(static_cast<uint64_t>(in.gcount()) == size,
          "cannot read weights file '" + path.string() + "'");
  return decode_weights(bytes, path.string());
}

}  // namespace bloomnet
