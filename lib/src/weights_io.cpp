#include "bloomnet/weights_io.hpp"

#include <cmath>
#include <cstring>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "safetensors.hpp"

namespace bloomnet {

namespace {

using safetensors::shape_text;
using safetensors::TensorEntry;

const TensorEntry& find_f32(const safetensors::Container& container, const std::string& name,
                            size_t rank, const std::string& where) {
  return safetensors::find_tensor(container, name, "F32", rank, where,
                                  "a bloomnet network has W_in, b_in, W_out, b_out");
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

void require_finite(const Network& net) {
  // at(i): the element's index as the SPEC's orientation writes it.
  auto check = [](const char* name, std::span<const float> values, auto at) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::isfinite(values[i])) continue;
      throw Error(std::string("the network's tensor '") + name + "' holds " +
                  (std::isnan(values[i]) ? "NaN" : "infinity") + " at [" + at(i) + "]");
    }
  };
  const size_t V = net.V(), d = net.d();
  auto vector = [](size_t i) { return std::to_string(i); };
  check("W_in", net.W_in(),
        [d](size_t i) { return std::to_string(i / d) + ", " + std::to_string(i % d); });
  check("b_in", net.b_in(), vector);
  // W_out is held transposed, (d, V).
  check("W_out", net.W_outT(),
        [V](size_t i) { return std::to_string(i % V) + ", " + std::to_string(i / V); });
  check("b_out", net.b_out(), vector);
}

std::vector<uint8_t> encode_weights(const Network& net, const Metadata& metadata,
                                    const ExtraTensors& extra) {
  require_finite(net);
  const size_t V = net.V(), d = net.d();
  std::vector<float> W_out(V * d);
  for (size_t t = 0; t < V; ++t) {
    for (size_t j = 0; j < d; ++j) W_out[t * d + j] = net.W_out(t, j);
  }
  auto f32 = [](std::string name, std::span<const float> values, std::vector<uint64_t> shape) {
    return safetensors::TensorSource{std::move(name), "F32", std::move(shape),
                                     safetensors::as_bytes(values)};
  };
  std::vector<safetensors::TensorSource> tensors = {
      f32("W_in", net.W_in(), {V, d}), f32("b_in", net.b_in(), {d}), f32("W_out", W_out, {V, d}),
      f32("b_out", net.b_out(), {V})};
  for (const auto& [name, values] : extra) {
    require(name != "W_in" && name != "b_in" && name != "W_out" && name != "b_out" &&
                name != "__metadata__",
            "extra tensor name '" + name + "' is reserved");
    tensors.push_back(f32(name, values, {values.size()}));
  }
  Metadata meta = metadata;
  meta["format"] = "bloomnet/1";
  meta["V"] = std::to_string(V);
  meta["d"] = std::to_string(d);
  meta["activation"] = to_string(net.activation());
  return safetensors::encode(meta, tensors);
}

WeightsFile decode_weights(std::span<const uint8_t> bytes, const std::string& source) {
  safetensors::Container container = safetensors::parse(bytes, source);
  const std::vector<TensorEntry>& entries = container.tensors;
  const uint8_t* data = container.data;
  Metadata& metadata = container.metadata;

  const TensorEntry& W_in = find_f32(container, "W_in", 2, source);
  const TensorEntry& b_in = find_f32(container, "b_in", 1, source);
  const TensorEntry& W_out = find_f32(container, "W_out", 2, source);
  const TensorEntry& b_out = find_f32(container, "b_out", 1, source);
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
  const auto activation = metadata.find("activation");
  Activation kind = Activation::kRelu;
  if (activation != metadata.end()) {
    try {
      kind = from_string<Activation>(activation->second);
    } catch (const Error& e) {
      throw Error(source + ": metadata " + e.what());
    }
  }
  WeightsFile file{Network(V, d, kind), std::move(metadata), {}};
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
  return decode_weights(safetensors::read_file(path.string(), "weights file"), path.string());
}

}  // namespace bloomnet
