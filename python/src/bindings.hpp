// The parts of the module, one concern each, and the network object they share.
#pragma once

#include <pybind11/pybind11.h>

#include <vector>

#include "bloomnet/network.hpp"
#include "bloomnet/training_run.hpp"
#include "bloomnet/weights_io.hpp"

namespace bloomnet::python {

namespace py = pybind11;

// bloomnet.Network: the network, the metadata of the file it came from or goes to, and for a net
// trained from Python its run's log.
struct NetworkObject {
  Network net;
  Metadata metadata;
  std::vector<LogRow> log;
};

// A log row as the dict the training callback and Network.training_log give.
py::dict log_row_dict(const LogRow& row);

void bind_filters(py::module_& m);   // filters.cpp
void bind_networks(py::module_& m);  // networks.cpp
void bind_training(py::module_& m);  // training.cpp
void bind_analysis(py::module_& m);  // analysis.cpp

}  // namespace bloomnet::python
