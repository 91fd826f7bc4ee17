// bloomnet.compare, bloomnet.compile (and the CompiledFilter it gives), and the width sweep's
// runner and fits under bloomnet.sweep and bloomnet.fit (python/bloomnet/__init__.py turns their
// CSV text into rows of dicts and back).
#include "bloomnet/analysis.hpp"

#include <pybind11/stl.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bloomnet/compile.hpp"
#include "bloomnet/results_json.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/width_sweep.hpp"

namespace bloomnet::python {
namespace {

EvalConfig eval_config(py::handle k, py::handle sets, py::handle seed) {
  EvalConfig config;
  config.k = count_of<size_t>(k, "k");
  config.sets = count_of<size_t>(sets, "sets");
  config.seed = count_of<uint64_t>(seed, "seed");
  return config;
}

py::dict compare(const NetworkObject& n, py::handle k, py::handle sets, py::handle seed) {
  const EvalConfig config = eval_config(k, sets, seed);
  require_finite(n.net);
  const NetworkReading reading = without_gil([&] { return read_network(n.net, config); });
  py::dict out = to_python(reading_json(n.net, reading, config.k)).cast<py::dict>();
  out["sets"] = config.sets;
  out["seed"] = config.seed;
  // H^ as a (V, d) bool matrix: row t marks the positions of H^(t).
  const size_t V = n.net.V(), d = n.net.d();
  py::array_t<bool> hashes({static_cast<py::ssize_t>(V), static_cast<py::ssize_t>(d)});
  bool* cell = hashes.mutable_data();
  std::fill(cell, cell + V * d, false);
  for (size_t t = 0; t < V; ++t) {
    for (uint32_t j : reading.hashes.positions(static_cast<uint32_t>(t))) cell[t * d + j] = true;
  }
  out["hashes"] = hashes;
  out["hash_counts"] = owning_array(std::vector<size_t>(reading.hash_counts));
  const Histogram histogram_of_w_in = histogram(n.net.W_in(), kReadingHistogramBins);
  py::dict histogram;
  histogram["lo"] = histogram_of_w_in.lo;
  histogram["hi"] = histogram_of_w_in.hi;
  histogram["counts"] = owning_array(std::vector<size_t>(histogram_of_w_in.counts));
  out["w_in_histogram"] = histogram;
  return out;
}

// bloomnet.CompiledFilter: a compiled filter, and what compile() measured of it (None for one
// loaded from a file).
struct CompiledObject {
  CompiledFilter filter;
  std::optional<nlohmann::json> measurements;
};

class NoteObserver : public Observer {
 public:
  explicit NoteObserver(py::handle callback)
      : callback_(py::reinterpret_borrow<py::object>(callback)) {}
  void note(std::string_view line) override {
    if (callback_.is_none()) return;
    py::gil_scoped_acquire acquire;
    callback_(std::string(line));
  }

 private:
  py::object callback_;
};

std::string sweep(py::handle V, py::handle k, std::vector<size_t> widths,
                  const std::vector<std::string>& methods, py::handle seeds, py::handle steps,
                  py::handle batch, double lr, const std::string& loss, const std::string& schedule,
                  py::handle k_max, double zipf, py::handle eval_sets, py::handle max_eval_sets,
                  py::handle min_false_positives, py::handle eval_seed, py::handle tuning_sets,
                  bool read_nets, std::optional<std::string> nets_dir, const std::string& out,
                  const std::string& shard, py::handle jobs, py::handle callback) {
  SweepConfig config;
  config.V = count_of<size_t>(V, "V");
  config.k = count_of<size_t>(k, "k");
  config.k_max = count_of<size_t>(k_max, "k_max");
  config.zipf = zipf;
  config.widths = std::move(widths);
  for (const std::string& method : methods) {
    config.methods.push_back(from_string<SweepMethod>(method));
  }
  config.seeds = count_of<size_t>(seeds, "seeds");
  config.steps = count_of<size_t>(steps, "steps");
  config.batch = count_of<size_t>(batch, "batch");
  config.lr = lr;
  config.loss = from_string<LossSchedule>(loss);
  config.schedule = from_string<Schedule>(schedule);
  config.eval_sets = count_of<size_t>(eval_sets, "eval_sets");
  config.max_eval_sets = count_of<size_t>(max_eval_sets, "max_eval_sets");
  config.min_false_positives = count_of<size_t>(min_false_positives, "min_false_positives");
  config.eval_seed = count_of<uint64_t>(eval_seed, "eval_seed");
  config.tuning_sets = count_of<size_t>(tuning_sets, "tuning_sets");
  config.read_nets = read_nets;
  if (nets_dir) config.nets_dir = *nets_dir;
  const Shard part = parse_shard(shard);
  const auto job_count = count_of<size_t>(jobs, "jobs");
  NoteObserver observer(callback);
  std::vector<SweepRow> rows;
  {
    py::gil_scoped_release release;
    rows = run_sweep(config, part, out, observer, job_count);
  }
  return sweep_csv(std::move(rows));
}

py::object fit(const std::string& csv) {
  const std::vector<SweepRow> rows = merge_sweep_rows(parse_sweep_csv(csv, "rows"));
  const std::vector<MethodFit> fits = fit_sweep(rows);
  return to_python({{"rows", rows.size()}, {"fits", fits}, {"cells", width_cells(rows)}});
}

}  // namespace

void bind_analysis(py::module_& m) {
  m.def("compare", &compare, py::arg("net"), py::kw_only(), py::arg("k"), py::arg("sets") = 4096,
        py::arg("seed") = 1,
        "The net read as a Bloom filter, as `bloomnet compare` prints it, plus numpy arrays: "
        "hashes (V, d) bool (H^), hash_counts (V,), w_in_histogram {lo, hi, counts}");

  py::class_<CompiledObject>(m, "CompiledFilter", R"doc(
A Bloom filter compiled to one bit mask per token (compiled_filter.hpp): what compile() makes of
a network's hashes. positives(S) gives every token the filter of S reports.
)doc")
      .def_property_readonly("V", [](const CompiledObject& c) { return c.filter.V(); })
      .def_property_readonly("m", [](const CompiledObject& c) { return c.filter.m(); })
      .def_property_readonly(
          "masks",
          [](py::handle self) {
            const auto& c = self.cast<const CompiledObject&>();
            return read_only_view<uint64_t>(c.filter.masks().data(),
                                            {static_cast<py::ssize_t>(c.filter.V()),
                                             static_cast<py::ssize_t>(c.filter.words())},
                                            {static_cast<py::ssize_t>(8 * c.filter.words()), 8},
                                            self);
          },
          "Token t's hash as bits of row t (read-only uint64 view)")
      .def_property_readonly(
          "measurements",
          [](const CompiledObject& c) -> py::object {
            return c.measurements ? to_python(*c.measurements) : py::none();
          },
          "What compile() measured, as `bloomnet compile` prints it (None once loaded)")
      .def(
          "positives",
          [](const CompiledObject& c, py::handle S) {
            const std::vector<uint32_t> set = token_set(S, c.filter.V(), "S");
            return owning_array(c.filter.positives(set).indices());
          },
          py::arg("S"))
      .def(
          "save",
          [](const CompiledObject& c, const std::string& path) {
            save_compiled_filter(path, c.filter);
          },
          py::arg("path"))
      .def_static(
          "load",
          [](const std::string& path) {
            return CompiledObject{load_compiled_filter(path), std::nullopt};
          },
          py::arg("path"))
      .def("__eq__",
           [](const CompiledObject& a, const CompiledObject& b) { return a.filter == b.filter; })
      .def("__repr__", [](const CompiledObject& c) {
        return "CompiledFilter(V=" + std::to_string(c.filter.V()) +
               ", m=" + std::to_string(c.filter.m()) + ")";
      });

  m.def(
      "compile",
      [](const NetworkObject& n, py::handle k, py::handle sets, py::handle seed) {
        const EvalConfig config = eval_config(k, sets, seed);
        require_finite(n.net);
        CompiledNetwork compiled =
            without_gil([&] { return compile_network(n.net, config.k, config.sets, config.seed); });
        nlohmann::json measurements = compiled;
        return CompiledObject{std::move(compiled.filter), std::move(measurements)};
      },
      py::arg("net"), py::kw_only(), py::arg("k"), py::arg("sets") = 4096, py::arg("seed") = 1,
      "The bit-packed filter of the net's own hashes, with its agreement and speed against the "
      "net (measurements)");

  m.def("_sweep", &sweep, py::kw_only(), py::arg("V"), py::arg("k"), py::arg("widths"),
        py::arg("methods"), py::arg("seeds"), py::arg("steps"), py::arg("batch"), py::arg("lr"),
        py::arg("loss"), py::arg("schedule"), py::arg("k_max"), py::arg("zipf"),
        py::arg("eval_sets"), py::arg("max_eval_sets"), py::arg("min_false_positives"),
        py::arg("eval_seed"), py::arg("tuning_sets"), py::arg("read_nets"), py::arg("nets_dir"),
        py::arg("out"), py::arg("shard"), py::arg("jobs"), py::arg("callback"));
  m.def("_fit", &fit, py::arg("csv"));
  m.def("_sweep_header", [] { return sweep_csv({}); });
}

}  // namespace bloomnet::python
