// How the module reads numpy arrays and answers with them: integer keys and tokens read in place
// (64-bit ones) or widened a chunk at a time (narrower ones), never converted behind the caller's
// back; token sets checked like the library checks its own; JSON results as Python objects.
// Every check raises TypeError (not an integer array) or ValueError (a shape, layout or value the
// call cannot take), with a one-line message naming the argument.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bloomnet/task.hpp"

namespace bloomnet::python {

namespace py = pybind11;

// A one-dimensional, C-contiguous, aligned numpy array of integers (any width, signed or not, in
// the machine's byte order), kept alive while it is read. Other sequences (lists, ranges) go
// through numpy.asarray first; a key is the integer's value modulo 2^64, whatever the width it
// comes in.
class IntegerArray {
 public:
  IntegerArray(py::handle values, const char* what);
  size_t size() const { return size_; }
  // Calls chunk(keys, count, first) over consecutive runs of the values as uint64: the array
  // itself when its items are 64-bit, else runs of up to 4096 widened values. Call without the
  // GIL (the array stays referenced by this object).
  void for_each_chunk(const std::function<void(const uint64_t*, size_t, size_t)>& chunk) const;
  // The values as tokens of [0, V): ValueError naming the first one outside.
  std::vector<uint32_t> tokens(size_t V) const;

 private:
  // Item i of an array of 8-, 16- or 32-bit integers, as a key.
  uint64_t narrow_key(size_t i) const;

  py::array array_;
  const char* what_;
  const void* data_ = nullptr;
  size_t size_ = 0, itemsize_ = 0;
  bool is_signed_ = false;
};

// Sets of distinct tokens of [0, V): a list (or any iterable) of integer arrays, or a 2-D integer
// array with one set per row.
TokenBatch token_sets(py::handle sets, size_t V, const char* what);
// One set of distinct tokens of [0, V).
std::vector<uint32_t> token_set(py::handle set, size_t V, const char* what);

// A new numpy array that owns `values` (moved, not copied), with this shape (default: 1-D).
template <class T>
py::array_t<T> owning_array(std::vector<T>&& values, std::vector<py::ssize_t> shape = {}) {
  if (shape.empty()) shape = {static_cast<py::ssize_t>(values.size())};
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owned->data(), free);
}

// A read-only numpy view of memory owned by `owner` (which it keeps alive).
template <class T>
py::array_t<T> read_only_view(const T* data, const std::vector<py::ssize_t>& shape,
                              const std::vector<py::ssize_t>& strides, py::handle owner) {
  py::array_t<T> view(shape, strides, data, owner);
  view.attr("setflags")(py::arg("write") = false);
  return view;
}

// A Python int as a count or seed of type T: TypeError for a non-integer (bool included),
// ValueError naming `what` for a negative value or one beyond T.
template <class T>
T count_of(py::handle value, const char* what) {
  if (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value)) {
    throw py::type_error(std::string(what) + " must be an integer, not " +
                         py::str(value.get_type().attr("__name__")).cast<std::string>());
  }
  const auto number = py::reinterpret_borrow<py::int_>(value);
  if (number < py::int_(0)) {
    throw py::value_error(std::string(what) + " = " + py::str(value).cast<std::string>() +
                          " must not be negative");
  }
  if (number > py::int_(static_cast<uint64_t>(T(~T{0})))) {
    throw py::value_error(std::string(what) + " = " + py::str(value).cast<std::string>() +
                          " is too large");
  }
  return static_cast<T>(value.cast<uint64_t>());
}

// A Python int or float as a double: TypeError for anything else (bool included).
inline double number_of(py::handle value, const char* what) {
  if ((!py::isinstance<py::int_>(value) && !py::isinstance<py::float_>(value)) ||
      py::isinstance<py::bool_>(value)) {
    throw py::type_error(std::string(what) + " must be a number, not " +
                         py::str(value.get_type().attr("__name__")).cast<std::string>());
  }
  return value.cast<double>();
}

// JSON as Python: objects as dicts, arrays as lists, null as None.
py::object to_python(const nlohmann::json& value);

// Runs f with the GIL released.
template <class F>
auto without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

// Runs f over `items` keys, releasing the GIL only for batches big enough to repay its round trip
// (about 100 ns, the cost of testing some 50 keys): a one-key call stays cheap.
template <class F>
void over_keys(size_t items, F&& f) {
  constexpr size_t kReleaseFrom = 1024;
  if (items < kReleaseFrom) {
    f();
  } else {
    without_gil(f);
  }
}

}  // namespace bloomnet::python
