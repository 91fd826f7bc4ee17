#include "arrays.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace bloomnet::python {

IntegerArray::IntegerArray(py::handle values, const char* what) : what_(what) {
  array_ = py::isinstance<py::array>(values)
               ? py::reinterpret_borrow<py::array>(values)
               : py::module_::import("numpy").attr("asarray")(values).cast<py::array>();
  const char kind = array_.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error(std::string(what) + " must be an integer array, not dtype " +
                         py::str(array_.dtype()).cast<std::string>());
  }
  if (array_.ndim() != 1) {
    throw py::value_error(std::string(what) + " must be one-dimensional (got " +
                          std::to_string(array_.ndim()) + " dimensions)");
  }
  if (!(array_.flags() & py::array::c_style)) {
    throw py::value_error(std::string(what) +
                          " must be contiguous (numpy.ascontiguousarray makes a copy)");
  }
  // Read in place, so the values must be what the machine reads: its byte order, aligned.
  if (array_.dtype().byteorder() == '>') {
    throw py::value_error(std::string(what) +
                          " must be in the machine's byte order (astype('<u8') converts it)");
  }
  if (!(array_.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_)) {
    throw py::value_error(std::string(what) +
                          " must be aligned (numpy.require(a, requirements='A') copies it)");
  }
  data_ = array_.data();
  size_ = static_cast<size_t>(array_.size());
  itemsize_ = static_cast<size_t>(array_.itemsize());
  is_signed_ = kind == 'i';
}

namespace {

// The integer at p as a key: signed values keep their value modulo 2^64 (-1 is 2^64 - 1 at every
// width), unsigned ones are zero-extended.
template <class T>
uint64_t key_at(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  if constexpr (std::is_signed_v<T>) {
    return static_cast<uint64_t>(static_cast<int64_t>(value));
  } else {
    return value;
  }
}

}  // namespace

uint64_t IntegerArray::narrow_key(size_t i) const {
  const char* p = static_cast<const char*>(data_) + i * itemsize_;
  switch (itemsize_) {
    case 1:
      return is_signed_ ? key_at<int8_t>(p) : key_at<uint8_t>(p);
    case 2:
      return is_signed_ ? key_at<int16_t>(p) : key_at<uint16_t>(p);
    default:
      return is_signed_ ? key_at<int32_t>(p) : key_at<uint32_t>(p);
  }
}

void IntegerArray::for_each_chunk(
    const std::function<void(const uint64_t*, size_t, size_t)>& chunk) const {
  if (itemsize_ == 8) {
    if (size_ != 0) chunk(static_cast<const uint64_t*>(data_), size_, 0);
    return;
  }
  constexpr size_t kChunk = 4096;
  uint64_t buffer[kChunk];
  for (size_t first = 0; first < size_; first += kChunk) {
    const size_t count = std::min(kChunk, size_ - first);
    for (size_t i = 0; i < count; ++i) buffer[i] = narrow_key(first + i);
    chunk(buffer, count, first);
  }
}

std::vector<uint32_t> IntegerArray::tokens(size_t V) const {
  std::vector<uint32_t> out(size_);
  bool bad = false;
  uint64_t bad_value = 0;
  for_each_chunk([&](const uint64_t* keys, size_t count, size_t first) {
    for (size_t i = 0; i < count && !bad; ++i) {
      if (keys[i] >= V) {
        bad = true;
        bad_value = keys[i];
      }
      out[first + i] = static_cast<uint32_t>(keys[i]);
    }
  });
  if (bad) {
    const std::string value = is_signed_ && static_cast<int64_t>(bad_value) < 0
                                  ? std::to_string(static_cast<int64_t>(bad_value))
                                  : std::to_string(bad_value);
    throw py::value_error(std::string(what_) + ": token " + value +
                          " is outside the vocabulary [0, " + std::to_string(V) + ")");
  }
  return out;
}

std::vector<uint32_t> token_set(py::handle set, size_t V, const char* what) {
  std::vector<uint32_t> S = IntegerArray(set, what).tokens(V);
  std::vector<uint32_t> sorted = S;
  std::sort(sorted.begin(), sorted.end());
  const auto repeat = std::adjacent_find(sorted.begin(), sorted.end());
  if (repeat != sorted.end()) {
    throw py::value_error(std::string(what) + ": token " + std::to_string(*repeat) +
                          " appears twice (a set's tokens are distinct)");
  }
  return S;
}

TokenBatch token_sets(py::handle sets, size_t V, const char* what) {
  TokenBatch batch;
  if (py::isinstance<py::array>(sets)) {
    const auto array = py::reinterpret_borrow<py::array>(sets);
    if (array.ndim() != 2) {
      throw py::value_error(std::string(what) +
                            " as an array must be two-dimensional, one set per row (got " +
                            std::to_string(array.ndim()) + " dimensions)");
    }
    for (py::ssize_t b = 0; b < array.shape(0); ++b) {
      batch.add(token_set(array[py::int_(b)], V, what));
    }
    return batch;
  }
  for (py::handle set : sets) batch.add(token_set(set, V, what));
  return batch;
}

py::object to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

}  // namespace bloomnet::python
