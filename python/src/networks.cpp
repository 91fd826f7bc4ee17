// bloomnet.Network: weights as writable numpy views of the network's own memory, the forward pass,
// positive sets, held-out evaluation and the files of SPEC section 7; bloomnet.construct and
// bloomnet.load.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bloomnet/construct.hpp"
#include "bloomnet/hash_family.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/results_json.hpp"

namespace bloomnet::python {
namespace {

// A writable view of the network's memory that keeps the Python object owning it alive.
py::array_t<float> weights_view(py::handle self, float* data, const std::vector<py::ssize_t>& shape,
                                const std::vector<py::ssize_t>& strides) {
  return py::array_t<float>(shape, strides, data, self);
}

// A float32 array of exactly this shape: TypeError for anything else than a float32 numpy array,
// ValueError for another shape.
py::array float32_array(py::handle value, const char* name, std::vector<py::ssize_t> shape) {
  if (!py::isinstance<py::array>(value)) {
    throw py::type_error(std::string(name) + " must be a numpy array (float32), not " +
                         py::str(value.get_type().attr("__name__")).cast<std::string>());
  }
  auto array = py::reinterpret_borrow<py::array>(value);
  if (!array.dtype().is(py::dtype::of<float>())) {
    throw py::type_error(std::string(name) + " must be float32, not " +
                         py::str(array.dtype()).cast<std::string>() +
                         " (cast it yourself: a conversion changes the values)");
  }
  bool matches = array.ndim() == static_cast<py::ssize_t>(shape.size());
  for (size_t i = 0; matches && i < shape.size(); ++i) matches = array.shape(i) == shape[i];
  if (!matches) {
    std::string want = "(", got = "(";
    for (size_t i = 0; i < shape.size(); ++i) want += (i ? ", " : "") + std::to_string(shape[i]);
    for (py::ssize_t i = 0; i < array.ndim(); ++i) {
      got += (i ? ", " : "") + std::to_string(array.shape(i));
    }
    throw py::value_error(std::string(name) + " has shape " + got + ") but the network needs " +
                          want + ")");
  }
  return array;
}

NetworkObject from_numpy(py::handle W_in, py::handle b_in, py::handle W_out, py::handle b_out,
                         const std::string& activation) {
  if (!py::isinstance<py::array>(W_in)) float32_array(W_in, "W_in", {});  // raises TypeError
  const auto W_in_array = py::reinterpret_borrow<py::array>(W_in);
  if (W_in_array.ndim() != 2) {
    throw py::value_error("W_in must be two-dimensional (V, d), not " +
                          std::to_string(W_in_array.ndim()) + "-dimensional");
  }
  const py::ssize_t V = W_in_array.shape(0), d = W_in_array.shape(1);
  const py::array w_in = float32_array(W_in, "W_in", {V, d});
  const py::array bias_in = float32_array(b_in, "b_in", {d});
  const py::array w_out = float32_array(W_out, "W_out", {V, d});
  const py::array bias_out = float32_array(b_out, "b_out", {V});
  NetworkObject out{
      Network(static_cast<size_t>(V), static_cast<size_t>(d), from_string<Activation>(activation)),
      {},
      {}};
  Network& net = out.net;
  // Read through numpy's strides: any layout gives the same values.
  const auto a = w_in.unchecked<float, 2>();
  const auto b = bias_in.unchecked<float, 1>();
  const auto c = w_out.unchecked<float, 2>();
  const auto e = bias_out.unchecked<float, 1>();
  for (py::ssize_t t = 0; t < V; ++t) {
    for (py::ssize_t j = 0; j < d; ++j) {
      net.W_in()[static_cast<size_t>(t * d + j)] = a(t, j);
      net.set_W_out(static_cast<size_t>(t), static_cast<size_t>(j), c(t, j));
    }
    net.b_out()[static_cast<size_t>(t)] = e(t);
  }
  for (py::ssize_t j = 0; j < d; ++j) net.b_in()[static_cast<size_t>(j)] = b(j);
  require_finite(net);
  return out;
}

py::dict metadata_dict(const Metadata& metadata) {
  py::dict out;
  for (const auto& [key, value] : metadata) out[py::str(key)] = value;
  return out;
}

}  // namespace

py::dict log_row_dict(const LogRow& row) {
  py::dict out = to_python(nlohmann::json(row.metrics)).cast<py::dict>();
  out["step"] = row.step;
  out["loss_kind"] = to_string(row.loss);
  out["lr"] = row.lr;
  out["train_loss"] = row.train_loss;
  out["seconds"] = row.seconds;
  return out;
}

void bind_networks(py::module_& m) {
  py::class_<NetworkObject>(m, "Network", R"doc(
The one-hidden-layer network of SPEC section 2: hidden = ReLU(W_in x + b_in), z = W_out hidden +
b_out, x the k-hot indicator of a set.

W_in (V, d), b_in (d,), W_out (V, d) and b_out (V,) are writable float32 views of the network's
own memory (W_out is strided: the network stores it transposed for its kernels). A view keeps
the network alive; it stays valid as long as the view exists. Writes through a view change the
network at once; save() and evaluate() refuse NaN or infinite weights.
)doc")
      .def_property_readonly("V", [](const NetworkObject& n) { return n.net.V(); })
      .def_property_readonly("d", [](const NetworkObject& n) { return n.net.d(); })
      .def_property_readonly("activation",
                             [](const NetworkObject& n) { return to_string(n.net.activation()); })
      .def_property_readonly(
          "metadata", [](const NetworkObject& n) { return metadata_dict(n.metadata); },
          "The file's metadata (a copy): kind, configuration, ...")
      .def_property_readonly(
          "training_log",
          [](const NetworkObject& n) {
            py::list rows;
            for (const LogRow& row : n.log) rows.append(log_row_dict(row));
            return rows;
          },
          "The held-out evaluations of the run that trained this network (train() only)")
      .def_property_readonly("W_in",
                             [](py::handle self) {
                               auto& n = self.cast<NetworkObject&>();
                               const auto V = static_cast<py::ssize_t>(n.net.V());
                               const auto d = static_cast<py::ssize_t>(n.net.d());
                               return weights_view(self, n.net.W_in().data(), {V, d}, {4 * d, 4});
                             })
      .def_property_readonly("b_in",
                             [](py::handle self) {
                               auto& n = self.cast<NetworkObject&>();
                               const auto d = static_cast<py::ssize_t>(n.net.d());
                               return weights_view(self, n.net.b_in().data(), {d}, {4});
                             })
      .def_property_readonly("W_out",
                             [](py::handle self) {
                               auto& n = self.cast<NetworkObject&>();
                               const auto V = static_cast<py::ssize_t>(n.net.V());
                               const auto d = static_cast<py::ssize_t>(n.net.d());
                               return weights_view(self, n.net.W_outT().data(), {V, d}, {4, 4 * V});
                             })
      .def_property_readonly("b_out",
                             [](py::handle self) {
                               auto& n = self.cast<NetworkObject&>();
                               const auto V = static_cast<py::ssize_t>(n.net.V());
                               return weights_view(self, n.net.b_out().data(), {V}, {4});
                             })
      .def_static("from_numpy", &from_numpy, py::arg("W_in"), py::arg("b_in"), py::arg("W_out"),
                  py::arg("b_out"), py::kw_only(), py::arg("activation") = "relu",
                  "A network holding a copy of four float32 arrays of SPEC section 7's shapes")
      .def(
          "forward",
          [](const NetworkObject& n, py::handle sets) {
            const TokenBatch batch = token_sets(sets, n.net.V(), "sets");
            Activations act;
            without_gil([&] { forward(n.net, batch, act); });
            return owning_array(std::move(act.z), {static_cast<py::ssize_t>(batch.size()),
                                                   static_cast<py::ssize_t>(n.net.V())});
          },
          py::arg("sets"),
          "Logits (B, V) of a list of token sets (or a 2-D array, one set per row)")
      .def(
          "positives",
          [](const NetworkObject& n, py::handle S) {
            TokenBatch batch;
            batch.add(token_set(S, n.net.V(), "S"));
            std::vector<Bitset> sets = without_gil([&] { return positive_sets(n.net, batch); });
            return owning_array(sets.front().indices());
          },
          py::arg("S"), "P(S) = {t : p_t >= max p / 2}, increasing")
      .def(
          "evaluate",
          [](const NetworkObject& n, py::handle k, py::handle sets, py::handle seed,
             py::handle k_max, double zipf, py::handle max_sets, py::handle min_false_positives) {
            EvalConfig config;
            config.k = count_of<size_t>(k, "k");
            config.sets = count_of<size_t>(sets, "sets");
            config.seed = count_of<uint64_t>(seed, "seed");
            config.k_max = count_of<size_t>(k_max, "k_max");
            config.zipf = zipf;
            config.max_sets = count_of<size_t>(max_sets, "max_sets");
            config.min_false_positives =
                count_of<size_t>(min_false_positives, "min_false_positives");
            require_finite(n.net);
            const nlohmann::json result =
                without_gil([&] { return evaluation_json(n.net, n.metadata, config); });
            return to_python(result);
          },
          py::kw_only(), py::arg("k"), py::arg("sets") = 4096, py::arg("seed") = 1,
          py::arg("k_max") = 0, py::arg("zipf") = 0.0, py::arg("max_sets") = 0,
          py::arg("min_false_positives") = 0,
          "Held-out metrics as `bloomnet eval` prints them (a dict with the same keys)")
      .def(
          "save",
          [](const NetworkObject& n, const std::string& path) {
            save_weights(path, n.net, n.metadata);
          },
          py::arg("path"), "Writes a weights file (SPEC section 7) atomically")
      .def("copy", [](const NetworkObject& n) { return NetworkObject(n); })
      .def("__eq__", [](const NetworkObject& a, const NetworkObject& b) { return a.net == b.net; })
      .def("__repr__", [](const NetworkObject& n) {
        const auto kind = n.metadata.find("kind");
        return "Network(V=" + std::to_string(n.net.V()) + ", d=" + std::to_string(n.net.d()) +
               ", activation=" + to_string(n.net.activation()) +
               (kind == n.metadata.end() ? "" : ", kind=" + kind->second) + ")";
      });

  m.def(
      "load",
      [](const std::string& path) {
        WeightsFile file = load_weights(path);
        return NetworkObject{std::move(file.net), std::move(file.metadata), {}};
      },
      py::arg("path"),
      "A network from any weights file of SPEC section 7 (PyTorch- and numpy-written included)");
  m.def(
      "construct",
      [](py::handle V, py::handle m_bits, py::handle h, const std::string& form, float beta,
         py::handle seed) {
        ExactConfig config;
        config.m = count_of<size_t>(m_bits, "m");
        config.h = count_of<size_t>(h, "h");
        config.seed = count_of<uint64_t>(seed, "seed");
        config.beta = beta;
        config.form = from_string<ExactForm>(form);
        const HashFamily family(count_of<size_t>(V, "V"), config.m, config.h, config.seed);
        return NetworkObject{
            construct_exact(family, beta, config.form), exact_metadata(config), {}};
      },
      py::kw_only(), py::arg("V"), py::arg("m"), py::arg("h"), py::arg("form") = "complement",
      py::arg("beta") = 20.0f, py::arg("seed") = 0,
      "The exact construction of SPEC section 4: a network whose positives are the Bloom "
      "filter's of the seeded family (V, m, h, seed)");
}

}  // namespace bloomnet::python
