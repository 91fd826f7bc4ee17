// bloomnet.SplitBlockFilter and bloomnet.BloomFilter: the library's two filters over numpy
// arrays, batched calls on the batched kernels without the GIL, bits as read-only views.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bloomnet/filter_files.hpp"
#include "bloomnet/hash_family.hpp"

namespace bloomnet::python {
namespace {

// A Python int as a key: its value modulo 2^64 (negative ones as int64 do), like array keys.
// Through the C API: building comparison objects would cost more than the test itself.
uint64_t key_of(const py::int_& key) {
  int overflow = 0;
  const long long value = PyLong_AsLongLongAndOverflow(key.ptr(), &overflow);
  if (overflow == 0) return static_cast<uint64_t>(value);
  if (overflow > 0) {
    const unsigned long long unsigned_value = PyLong_AsUnsignedLongLong(key.ptr());
    if (!PyErr_Occurred()) return unsigned_value;
    PyErr_Clear();
  }
  throw py::value_error("a key must fit in 64 bits");
}

// A filter of both key sets (union, |), or this one made so (|=): the two filter classes alike.
template <class Filter>
Filter united(const Filter& filter, const Filter& other) {
  Filter out = filter;
  out.unite(other);
  return out;
}
template <class Filter>
Filter& unite_in_place(Filter& filter, const Filter& other) {
  filter.unite(other);
  return filter;
}

// One Python int as a token of the filter's vocabulary: ValueError naming it when outside.
uint32_t token_of(const BloomFilter& f, py::handle token) {
  const size_t V = f.family().V();
  const auto t = count_of<uint64_t>(token, "token");
  if (t >= V) {
    throw py::value_error("token " + std::to_string(t) + " is outside the vocabulary [0, " +
                          std::to_string(V) + ")");
  }
  return static_cast<uint32_t>(t);
}

py::array_t<bool> contains_all(const SplitBlockFilterView& filter, const IntegerArray& keys) {
  py::array_t<bool> out(static_cast<py::ssize_t>(keys.size()));
  auto* found = reinterpret_cast<uint8_t*>(out.mutable_data());
  over_keys(keys.size(), [&] {
    keys.for_each_chunk([&](const uint64_t* chunk, size_t count, size_t first) {
      filter.contains(std::span(chunk, count), std::span(found + first, count));
    });
  });
  return out;
}

py::dict measured_dict(const Measured& measured, size_t probes) {
  py::dict out;
  out["value"] = measured.value;
  out["ci95"] = py::make_tuple(measured.ci.lo, measured.ci.hi);
  out["probes"] = probes;
  return out;
}

py::array_t<uint32_t> indices(const Bitset& bits) { return owning_array(bits.indices()); }

// The queries both split-block classes answer through their view(): the filter in memory
// (SplitBlockFilter) and the one mapped from its file (MappedSplitBlockFilter). `name` is the
// class's, `memory` where its lanes are.
template <class Filter>
void def_split_block_queries(py::class_<Filter>& cls, const char* name, const char* memory) {
  const std::string words_doc =
      std::string("The lanes as a read-only (blocks, 8) uint32 view of ") + memory;
  cls.def_property_readonly("blocks", [](const Filter& f) { return f.view().blocks(); })
      .def_property_readonly("seed", [](const Filter& f) { return f.view().seed(); })
      .def_property_readonly(
          "keys_inserted", [](const Filter& f) { return f.view().keys_inserted(); },
          "Keys inserted so far, repeats included")
      .def_property_readonly(
          "nbytes", [](const Filter& f) { return 32 * f.view().blocks(); },
          "The filter's size in bytes")
      .def_property_readonly(
          "words",
          [](py::handle self) {
            const SplitBlockFilterView f = self.cast<const Filter&>().view();
            return read_only_view<uint32_t>(
                f.words().data(), {static_cast<py::ssize_t>(f.blocks()), 8}, {32, 4}, self);
          },
          words_doc.c_str())
      .def(
          "contains",
          [](const Filter& f, py::handle keys) {
            return contains_all(f.view(), IntegerArray(keys, "keys"));
          },
          py::arg("keys"), "A bool array: whether the filter reports each key")
      .def("__contains__",
           [](const Filter& f, const py::int_& key) { return f.view().contains(key_of(key)); })
      .def(
          "fpr_theory",
          [](const Filter& f, py::handle n) {
            const SplitBlockFilterView view = f.view();
            return view.fpr_theory(n.is_none() ? view.keys_inserted() : count_of<size_t>(n, "n"));
          },
          py::arg("n") = py::none(),
          "The FPR the split-block formula gives for n keys (default: the keys inserted)")
      .def(
          "fpr_measured",
          [](const Filter& f, py::handle probes, py::handle seed) {
            const auto count = count_of<size_t>(probes, "probes");
            const auto s = count_of<uint64_t>(seed, "seed");
            const Measured measured = without_gil([&] { return f.view().fpr_measured(count, s); });
            return measured_dict(measured, count);
          },
          py::arg("probes") = 1'000'000, py::arg("seed") = 0,
          "The share of fresh random keys reported, with its 95% interval: "
          "{'value', 'ci95': (lo, hi), 'probes'}")
      .def("__repr__", [name](const Filter& f) {
        const SplitBlockFilterView view = f.view();
        return std::string(name) + "(blocks=" + std::to_string(view.blocks()) +
               ", seed=" + std::to_string(view.seed()) +
               ", keys_inserted=" + std::to_string(view.keys_inserted()) + ")";
      });
}

void bind_split_block_filter(py::module_& m) {
  py::class_<SplitBlockFilter> cls(m, "SplitBlockFilter", py::buffer_protocol(), R"doc(
The split-block Bloom filter (SPEC section 3): 256-bit blocks of eight 32-bit lanes, one bit set
per lane. Sized by n and bits_per_key, by n and a target fpr, or by blocks directly.

Keys are 64-bit integers: any contiguous 1-D integer array (64-bit ones are read in place,
narrower ones widened; a key is its value modulo 2^64). Batched calls release the GIL. insert()
needs exclusive access; contains() may run from several threads at once.
)doc");
  cls.def(py::init([](py::handle n, py::handle bits_per_key, py::handle fpr, py::handle blocks,
                      py::handle seed) {
            const auto s = count_of<uint64_t>(seed, "seed");
            if (!blocks.is_none()) {
              if (!n.is_none() || !bits_per_key.is_none() || !fpr.is_none()) {
                throw py::value_error("give blocks alone, or n with bits_per_key or fpr");
              }
              return SplitBlockFilter(count_of<size_t>(blocks, "blocks"), s);
            }
            if (n.is_none() || bits_per_key.is_none() == fpr.is_none()) {
              throw py::value_error("give n with exactly one of bits_per_key and fpr, or blocks");
            }
            const auto keys = count_of<size_t>(n, "n");
            return fpr.is_none() ? SplitBlockFilter::with_bits_per_key(
                                       keys, number_of(bits_per_key, "bits_per_key"), s)
                                 : SplitBlockFilter::for_fpr(keys, number_of(fpr, "fpr"), s);
          }),
          py::kw_only(), py::arg("n") = py::none(), py::arg("bits_per_key") = py::none(),
          py::arg("fpr") = py::none(), py::arg("blocks") = py::none(), py::arg("seed") = 0)
      .def_buffer([](const SplitBlockFilter& f) {
        return py::buffer_info(const_cast<uint32_t*>(f.words().data()), sizeof(uint32_t),
                               py::format_descriptor<uint32_t>::format(), 2,
                               {static_cast<py::ssize_t>(f.blocks()), py::ssize_t{8}},
                               {py::ssize_t{32}, py::ssize_t{4}}, /*readonly=*/true);
      })
      .def(
          "insert",
          [](SplitBlockFilter& f, py::handle keys) {
            const IntegerArray array(keys, "keys");
            over_keys(array.size(), [&] {
              array.for_each_chunk([&](const uint64_t* chunk, size_t count, size_t) {
                f.insert(std::span(chunk, count));
              });
            });
          },
          py::arg("keys"), "Inserts every key of an integer array")
      .def("union", &united<SplitBlockFilter>, py::arg("other"),
           "The filter of both key sets (same blocks and seed)")
      .def("__or__", &united<SplitBlockFilter>)
      .def("__ior__", &unite_in_place<SplitBlockFilter>,
           py::return_value_policy::reference_internal)
      .def("copy", [](const SplitBlockFilter& f) { return SplitBlockFilter(f); })
      .def(
          "save",
          [](const SplitBlockFilter& f, const std::string& path) {
            save_split_block_filter(path, f);
          },
          py::arg("path"), "Writes the filter file atomically")
      .def_static(
          "load", [](const std::string& path) { return load_split_block_filter(path); },
          py::arg("path"), "Reads a filter file written by save() or the C++ library")
      .def_static(
          "open_mapped", [](const std::string& path) { return MappedSplitBlockFilter::open(path); },
          py::arg("path"),
          "Opens a filter file by memory map, read-only, without reading its lanes: a "
          "MappedSplitBlockFilter answering the same queries from the file's pages")
      .def("__eq__", [](const SplitBlockFilter& a, const SplitBlockFilter& b) { return a == b; });
  def_split_block_queries(cls, "SplitBlockFilter", "the filter's memory");
}

void bind_mapped_split_block_filter(py::module_& m) {
  py::class_<MappedSplitBlockFilter> cls(m, "MappedSplitBlockFilter", R"doc(
A split-block filter file opened by memory map (SplitBlockFilter.open_mapped): the header checked
as load() checks it, the lanes left in the file and paged in as queries touch them, so a filter of
any size opens at once. Read-only: copy() gives a SplitBlockFilter to insert into. The file must
not be truncated while open (bloomnet's own saves replace files by rename, which is safe).
)doc");
  cls.def(
      "copy",
      [](const MappedSplitBlockFilter& f) {
        const SplitBlockFilterView& view = f.view();
        return SplitBlockFilter::from_words(view.blocks(), view.seed(), view.words(),
                                            view.keys_inserted());
      },
      "The filter in memory, as load() gives it");
  def_split_block_queries(cls, "MappedSplitBlockFilter", "the mapped file");
}

void bind_bloom_filter(py::module_& m) {
  py::class_<BloomFilter>(m, "BloomFilter", R"doc(
The classic bit-packed Bloom filter over a vocabulary (SPEC section 3): m bits; token t of [0, V)
has h distinct positions drawn from the seeded family (seed, t). The filter F(S) keeps the set S
of tokens inserted, so its measured FPR |F(S) \ S| / (V - |S|) is exact.
)doc")
      .def(py::init([](py::handle V, py::handle m, py::handle h, py::handle seed) {
             return BloomFilter(std::make_shared<const HashFamily>(
                 count_of<size_t>(V, "V"), count_of<size_t>(m, "m"), count_of<size_t>(h, "h"),
                 count_of<uint64_t>(seed, "seed")));
           }),
           py::kw_only(), py::arg("V"), py::arg("m"), py::arg("h"), py::arg("seed") = 0)
      .def_property_readonly("V", [](const BloomFilter& f) { return f.family().V(); })
      .def_property_readonly("m", [](const BloomFilter& f) { return f.family().m(); })
      .def_property_readonly("h", [](const BloomFilter& f) { return f.family().h(); })
      .def_property_readonly("seed", [](const BloomFilter& f) { return *f.family().seed(); })
      .def_property_readonly(
          "nbytes", [](const BloomFilter& f) { return f.bits().words().size_bytes(); },
          "The size of the bits in bytes")
      .def_property_readonly(
          "words",
          [](py::handle self) {
            const auto& f = self.cast<const BloomFilter&>();
            const std::span<const uint64_t> words = f.bits().words();
            return read_only_view<uint64_t>(words.data(), {static_cast<py::ssize_t>(words.size())},
                                            {8}, self);
          },
          "The m bits as a read-only uint64 view (bit j in word j // 64)")
      .def(
          "insert",
          [](BloomFilter& f, py::handle tokens) {
            const std::vector<uint32_t> S = IntegerArray(tokens, "tokens").tokens(f.family().V());
            over_keys(S.size(), [&] { f.insert(S); });
          },
          py::arg("tokens"))
      .def(
          "contains",
          [](const BloomFilter& f, py::handle tokens) {
            const std::vector<uint32_t> T = IntegerArray(tokens, "tokens").tokens(f.family().V());
            py::array_t<bool> out(static_cast<py::ssize_t>(T.size()));
            bool* found = out.mutable_data();
            over_keys(T.size(), [&] {
              for (size_t i = 0; i < T.size(); ++i) found[i] = f.contains(T[i]);
            });
            return out;
          },
          py::arg("tokens"))
      .def("__contains__",
           [](const BloomFilter& f, py::handle token) { return f.contains(token_of(f, token)); })
      .def(
          "hashes",
          [](const BloomFilter& f, py::handle token) {
            const std::span<const uint32_t> H = f.family().positions(token_of(f, token));
            return owning_array(std::vector<uint32_t>(H.begin(), H.end()));
          },
          py::arg("token"), "H(t), the token's positions, increasing")
      .def(
          "positives", [](const BloomFilter& f) { return indices(f.positives()); },
          "Every token the filter reports: S and its false positives")
      .def(
          "members", [](const BloomFilter& f) { return indices(f.members()); },
          "S, the tokens inserted")
      .def("union", &united<BloomFilter>, py::arg("other"))
      .def("__or__", &united<BloomFilter>)
      .def("__ior__", &unite_in_place<BloomFilter>, py::return_value_policy::reference_internal)
      .def("popcount", &BloomFilter::popcount, "Bits set")
      .def("estimate_cardinality", &BloomFilter::estimate_cardinality)
      .def("fpr_measured", &BloomFilter::fpr_measured,
           "|F(S) \\ S| / (V - |S|), every token counted (exact, no sampling)")
      .def("fpr_theory", &BloomFilter::fpr_expected,
           "The expected FPR of a filter of |S| tokens over this m and h")
      .def("copy", [](const BloomFilter& f) { return BloomFilter(f); })
      .def(
          "save", [](const BloomFilter& f, const std::string& path) { save_bloom_filter(path, f); },
          py::arg("path"))
      .def_static(
          "load", [](const std::string& path) { return load_bloom_filter(path); }, py::arg("path"))
      .def("__eq__",
           [](const BloomFilter& a, const BloomFilter& b) {
             return a.family() == b.family() && a.bits() == b.bits() && a.members() == b.members();
           })
      .def("__repr__", [](const BloomFilter& f) {
        return "BloomFilter(V=" + std::to_string(f.family().V()) +
               ", m=" + std::to_string(f.family().m()) + ", h=" + std::to_string(f.family().h()) +
               ", seed=" + std::to_string(*f.family().seed()) +
               ", members=" + std::to_string(f.members().count()) + ")";
      });
}

}  // namespace

void bind_filters(py::module_& m) {
  bind_split_block_filter(m);
  bind_mapped_split_block_filter(m);
  bind_bloom_filter(m);
}

}  // namespace bloomnet::python
