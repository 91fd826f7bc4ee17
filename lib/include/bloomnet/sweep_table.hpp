// The rows of the width study (width_sweep.hpp) and their CSV file: one row per (method, width,
// seed), in canonical order (method, width, seed), which makes a merge of shards byte-identical
// to the unsharded file.
//
// Columns (the schema is one table in sweep_table.cpp): the point and its task (method, width,
// seed, vocab, k, k_max, zipf, training), what the method chose (hashes, beta, theta), the
// held-out metrics with their standard errors over sets (sets, mse, mse_se, ce, topk_exact,
// topk_exact_se, false_positives_mean, false_positive_events, recall, fpr_measured, fpr_se), and
// for trained and linear nets their reading as Bloom filters (snap_fraction, union_accuracy, the
// agreement of P(S) with the filter of H^ and its baselines, each with its standard error).
// Numbers have 9 significant digits; a value that does not apply is empty.
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
#include "bloomnet/statistics.hpp"

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

// One CSV row. Values that do not apply (a JL row has no hash count, only trained and linear
// rows have readings, theory rows no sets) are NaN here and empty in the CSV.
struct SweepRow {
  SweepPoint point;
  size_t V = 0, k = 0, k_max = 0;  // k_max: 0, or the largest set size of a range
  double zipf = 0;                 // 0: uniform tokens
  std::string training;  // the training description for trained and linear rows, else empty
  double hashes = NAN;   // exact/theory: h; trained/linear: mean |H^(t)| read off W_in
  double beta = NAN, theta = NAN;
  // Held-out metrics; *_se: standard errors of the means over the sets.
  double sets = NAN;  // sets evaluated (NaN for closed-form theory rows)
  double mse = NAN, mse_se = NAN, ce = NAN, topk_exact = NAN, topk_exact_se = NAN,
         false_positives_mean = NAN, false_positive_events = NAN, recall = NAN, fpr_measured = NAN,
         fpr_se = NAN;
  // The reading of a trained or linear net (analysis.hpp): its modes and union bits, and its
  // positives against the filter of its hashes H^, against which a perfect predictor (the
  // oracle) and a random filter of the same size and hash counts are scored too.
  double snap_fraction = NAN, union_accuracy = NAN;
  double agreement_exact_match = NAN, agreement_exact_match_se = NAN, agreement_jaccard = NAN,
         agreement_jaccard_se = NAN, oracle_exact_match = NAN, oracle_exact_match_se = NAN,
         oracle_jaccard = NAN, oracle_jaccard_se = NAN, random_jaccard = NAN,
         random_jaccard_se = NAN;
  double filter_fpr = NAN, filter_fpr_se = NAN, random_fpr = NAN, random_fpr_se = NAN;
  double net_fp_given_filter_fp = NAN, filter_fp_given_net_fp = NAN;
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
