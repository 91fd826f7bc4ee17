// The extension module bloomnet._core; python/bloomnet/__init__.py is the package around it.
// bloomnet's errors keep their one-line message: a FileError (a file that cannot be opened, read
// or written) is raised as OSError, any other Error (bad arguments or data, a corrupt file) as
// ValueError.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/kernels.hpp"

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  m.doc() = "bloomnet's C++ library: filters, networks, training and the width study";
  // By value: pybind11's translator type (a function pointer) takes the exception_ptr so.
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const bloomnet::FileError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const bloomnet::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  m.attr("kernels") = bloomnet::simd_kernels().name;
  bloomnet::python::bind_filters(m);
  bloomnet::python::bind_networks(m);
  bloomnet::python::bind_training(m);
  bloomnet::python::bind_analysis(m);
}
