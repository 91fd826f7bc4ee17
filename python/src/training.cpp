// bloomnet.train: a TrainingRun (training_run.hpp) with the CLI's options as keyword arguments.
// The run steps without the GIL; after each step the GIL is taken back to call the callback and
// to check for signals, so Ctrl-C (KeyboardInterrupt) stops the run as SIGINT stops the CLI's:
// the checkpoint is written, then the exception propagates, and a resumed run ends bit for bit
// as the uninterrupted one.
#include <omp.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"

namespace bloomnet::python {
namespace {

NetworkObject train(py::handle V, py::handle k, py::handle d, py::handle steps, py::handle k_max,
                    double zipf, const std::string& activation, const std::string& loss,
                    const std::string& optimizer, double lr, const std::string& schedule,
                    double weight_decay, py::handle batch, py::handle seed, py::handle eval_every,
                    py::handle eval_sets, py::handle eval_seed, std::optional<std::string> log,
                    std::optional<std::string> checkpoint, py::handle checkpoint_every,
                    std::optional<std::string> resume, std::optional<std::string> out,
                    py::handle callback) {
  TrainingRunConfig config;
  TrainConfig& c = config.train;
  c.task.V = count_of<size_t>(V, "V");
  c.task.k = count_of<size_t>(k, "k");
  c.task.k_max = count_of<size_t>(k_max, "k_max");
  c.task.zipf = zipf;
  c.d = count_of<size_t>(d, "d");
  c.steps = count_of<size_t>(steps, "steps");
  c.activation = from_string<Activation>(activation);
  c.loss = from_string<LossSchedule>(loss);
  c.optimizer.kind = from_string<OptimizerKind>(optimizer);
  c.optimizer.weight_decay = weight_decay;
  c.lr = lr;
  c.schedule = from_string<Schedule>(schedule);
  c.batch = count_of<size_t>(batch, "batch");
  c.seed = count_of<uint64_t>(seed, "seed");
  config.eval_every = count_of<size_t>(eval_every, "eval_every");
  config.eval_sets = count_of<size_t>(eval_sets, "eval_sets");
  config.eval_seed = count_of<uint64_t>(eval_seed, "eval_seed");
  config.checkpoint_every = count_of<size_t>(checkpoint_every, "checkpoint_every");
  if (log) config.log = *log;
  if (out) config.out = *out;
  // As the CLI: the checkpoint beside the weights file unless named.
  if (checkpoint) {
    config.checkpoint = *checkpoint;
  } else if (out) {
    config.checkpoint = *out + ".ckpt";
  }
  if (config.checkpoint_every != 0 && config.checkpoint.empty()) {
    throw py::value_error("checkpoint_every needs a checkpoint (or out) path");
  }

  TrainingRun run = resume ? TrainingRun::resume(*resume, config) : TrainingRun(config);
  // The Python error that stopped the run (the callback's, or KeyboardInterrupt), held while the
  // run writes its checkpoint, then raised.
  PyObject *error_type = nullptr, *error_value = nullptr, *error_trace = nullptr;
  bool finished = false;
  {
    py::gil_scoped_release release;
    finished = run.run([&](const TrainingRun::Step& step) {
      py::gil_scoped_acquire acquire;
      try {
        if (!callback.is_none()) {
          py::dict metrics = step.evaluated != nullptr ? log_row_dict(*step.evaluated) : py::dict();
          metrics["loss"] = step.report.loss;
          metrics["lr"] = step.report.lr;
          metrics["loss_kind"] = to_string(step.report.loss_kind);
          callback(run.steps_done(), metrics);
        }
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      } catch (py::error_already_set& e) {
        e.restore();
        PyErr_Fetch(&error_type, &error_value, &error_trace);
        return true;
      }
      return false;
    });
  }
  // An error at the last step ends a finished run: it propagates all the same.
  if (!finished || error_type != nullptr) {
    if (!finished && !config.checkpoint.empty()) {
      py::module_::import("sys").attr("stderr").attr("write")(
          "bloomnet.train: interrupted at step " + std::to_string(run.steps_done()) +
          "; checkpoint " + config.checkpoint.string() + " written; continue with resume='" +
          config.checkpoint.string() + "'\n");
    }
    PyErr_Restore(error_type, error_value, error_trace);
    throw py::error_already_set();
  }
  return NetworkObject{run.net(), run.trainer().trained_metadata(), run.log()};
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("_train", &train, py::kw_only(), py::arg("V"), py::arg("k"), py::arg("d"), py::arg("steps"),
        py::arg("k_max"), py::arg("zipf"), py::arg("activation"), py::arg("loss"),
        py::arg("optimizer"), py::arg("lr"), py::arg("schedule"), py::arg("weight_decay"),
        py::arg("batch"), py::arg("seed"), py::arg("eval_every"), py::arg("eval_sets"),
        py::arg("eval_seed"), py::arg("log"), py::arg("checkpoint"), py::arg("checkpoint_every"),
        py::arg("resume"), py::arg("out"), py::arg("callback"));
  m.def(
      "set_threads",
      [](py::handle threads) {
        const auto n = count_of<uint16_t>(threads, "threads");
        omp_set_num_threads(n == 0 ? omp_get_num_procs() : static_cast<int>(n));
      },
      py::arg("threads"),
      "OpenMP threads of the calls that follow (0: all cores). Results never depend on it.");
  m.def("threads", [] { return omp_get_max_threads(); });
}

}  // namespace bloomnet::python
