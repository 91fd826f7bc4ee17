// The rows of the width study (width_sweep.hpp) and their CSV file: one row per (method, width,
// seed), in canonical order (method, width, seed), which makes a merge of shards byte-identical
// to the unsharded file.
//
// Columns: method,width,seed,vocab,k,training,hashes,beta,theta,mse,ce,topk_exact,
// false_positives_mean,recall,fpr_measured,mse_3q (numbers with 9 significant digits; empty
// where a value does not apply). The schema is one table in sweep_table.cpp.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cmath>
#include <compare>
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"

namespace bloomnet {

// The methods of SPEC section 6, in canonical order.
enum class SweepMethod { kTrained, kLinear, kExact, kJl, kTheory };
template <>
struct EnumNames<SweepMethod> {
  static constexpr const char* kWhat = "method";
  static constexpr std::pair<SweepMethod, const char*> kNames[] = {
      {SweepMethod::kTrained, "trained"},
      {SweepMethod::kLinear, "linear"},
      {SweepMethod::kExact, "exact"},
      {SweepMethod::kJl, "jl"},
      {SweepMethod::kTheory, "theory"}};
};

// Trained and linear points train a network; the others construct or compute one.
inline bool is_trained(SweepMethod method) {
  return method == SweepMethod::kTrained || method == SweepMethod::kLinear;
}

struct SweepPoint {
  SweepMethod method = SweepMethod::kTrained;
  size_t width = 0;
  size_t seed = 0;
  auto operator<=>(const SweepPoint&) const = default;  // canonical order
};

// "trained d=64 seed 0", for messages and progress.
std::string to_string(const SweepPoint& point);

// One CSV row. Missing values (a JL row has no hash count; only trained rows have mse_3q) are
// NaN here and empty in the CSV.
struct SweepRow {
  SweepPoint point;
  size_t V = 0, k = 0;
  std::string training;  // the training description for trained and linear rows, else empty
  double hashes = NAN;   // exact/theory: h; trained/linear: mean |H^(t)| read off W_in
  double beta = NAN, theta = NAN;
  double mse = NAN, ce = NAN, topk_exact = NAN, false_positives_mean = NAN, recall = NAN,
         fpr_measured = NAN;
  double mse_3q = NAN;  // held-out eps after 3/4 of the steps: the last quarter's gain shows a
                        // plateau (or its absence)
};

// The CSV: a header line, then one line per row in canonical order.
std::string sweep_csv(std::vector<SweepRow> rows);
// Reads rows from CSV text; repeated header lines (concatenated shards) and blank lines are
// skipped. Throws Error naming the line and column of anything malformed.
std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source);
// The rows of a CSV file; Error when it cannot be read or parsed.
std::vector<SweepRow> read_sweep_csv(const std::filesystem::path& path);
// The rows of several CSV files (shards, resumed outputs) merged as merge_sweep_rows does.
std::vector<SweepRow> read_sweep_csvs(const std::vector<std::filesystem::path>& paths);
// Rows from several files into one list in canonical order; Error for a point that appears twice
// with different values, or rows of different V, k or training (different sweeps). Identical
// duplicates (the same shard merged twice) are kept once.
std::vector<SweepRow> merge_sweep_rows(std::vector<SweepRow> rows);

}  // namespace bloomnet
