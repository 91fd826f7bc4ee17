// The width-scaling study of SPEC section 6: for fixed (V, k), eps and the set metrics against
// the hidden width d for
//   trained  the ReLU network trained by Trainer (ce2mse, cosine schedule by default),
//   linear   the same network and training without the ReLU,
//   exact    the exact construction (complement form) at the integer h of least measured eps
//            among the theory's best h and its neighbours,
//   jl       the superposition baseline (jl_baseline.hpp) with tuned beta and theta,
//   theory   the exact construction's expected metrics at its best h (exact_theory), no sampling,
// and least-squares fits of ln eps against d and against ln d per method.
//
// The grid is methods x widths x seeds. It splits into N shards by grid index (point i belongs to
// shard i mod N + 1), so a cluster runs one shard per job; every point is deterministic (its own
// seeds; results independent of the thread count), so the shards' rows together are exactly the
// rows of the unsharded run. Rows are kept in canonical order (method, width, seed), which makes
// a merge of shards byte-identical to the unsharded CSV.
//
// Thread safety: free functions; run_point parallelizes inside (OpenMP).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bloomnet/line_fit.hpp"
#include "bloomnet/optimizer.hpp"
#include "bloomnet/trainer.hpp"

namespace bloomnet {

// In canonical order.
enum class SweepMethod { kTrained, kLinear, kExact, kJl, kTheory };

const char* to_string(SweepMethod method);
// The inverse of to_string; Error naming the known methods for any other text.
SweepMethod sweep_method_from_string(const std::string& name);

struct SweepConfig {
  size_t V = 1024, k = 4;
  std::vector<size_t> widths;
  std::vector<SweepMethod> methods;
  size_t seeds = 1;  // seeds 0 .. seeds - 1 of every stochastic method (theory has seed 0 only)
  // Training of the trained and linear networks.
  size_t steps = 20000, batch = 256;
  double lr = 0.01;
  LossSchedule loss = LossSchedule::kCeToMse;
  Schedule schedule = Schedule::kCosine;
  // Held-out evaluation (the same sets for every method).
  size_t eval_sets = 4096;
  uint64_t eval_seed = 1;
  size_t jl_tuning_sets = 1024;
  // The exact construction's beta: leakage V e^-beta is far below any eps a sweep resolves.
  float exact_beta = 60.0f;

  // What determines a trained row beyond (method, width, seed): "steps=... batch=... lr=...
  // loss=... schedule=...". Rows of another description belong to another sweep.
  std::string training_description() const;
};

// Throws Error naming the first bad value: V < 2, k outside [1, V - 1], no widths or a width of
// 0, no methods or a repeated one, seeds 0, no eval sets, or training settings Trainer refuses.
void validate(const SweepConfig& config);

struct SweepPoint {
  SweepMethod method;
  size_t width;
  size_t seed;
  auto operator<=>(const SweepPoint&) const = default;  // canonical order
};

// "I/N" with 1 <= I <= N; Error with the text otherwise.
struct Shard {
  size_t index = 1, count = 1;
};
Shard parse_shard(const std::string& text);

// The whole grid in canonical order, and the part of it a shard runs.
std::vector<SweepPoint> sweep_grid(const SweepConfig& config);
std::vector<SweepPoint> shard_points(const SweepConfig& config, const Shard& shard);

// One CSV row. Missing values (a JL row has no hash count; only trained rows have mse_3q) are
// NaN here and empty in the CSV.
struct SweepRow {
  SweepPoint point;
  size_t V = 0, k = 0;
  std::string training;  // training_description() for trained and linear rows, else empty
  double hashes = NAN;   // exact/theory: h; trained/linear: mean |H^(t)| read off W_in
  double beta = NAN, theta = NAN;
  double mse = NAN, ce = NAN, topk_exact = NAN, false_positives_mean = NAN, recall = NAN,
         fpr_measured = NAN;
  double mse_3q = NAN;  // held-out eps after 3/4 of the steps: the last quarter's gain shows a
                        // plateau (or its absence)
};

// Runs one point of the grid. `progress(done, total)` is called during training (steps).
SweepRow run_point(const SweepConfig& config, const SweepPoint& point,
                   const std::function<void(size_t, size_t)>& progress = nullptr);

// The CSV: a header line, then one line per row in canonical order.
std::string sweep_csv(std::vector<SweepRow> rows);
// Reads rows from CSV text; repeated header lines (concatenated shards) and blank lines are
// skipped. Throws Error naming the line of anything malformed.
std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source);
// Rows from several files into one list in canonical order; Error for a point that appears twice
// with different values, or rows of different V, k or training (different sweeps). Identical
// duplicates (the same shard merged twice) are kept once.
std::vector<SweepRow> merge_sweep_rows(std::vector<SweepRow> rows);

struct MethodFit {
  SweepMethod method;
  LineFit linear;         // ln eps against d
  LineFit log_log;        // ln eps against ln d
  size_t widths = 0;      // distinct widths fitted: three or more tell the laws apart
  size_t unresolved = 0;  // rows left out: eps below kResolvedMse (no false positive measured)
};
inline constexpr double kResolvedMse = 1e-12;
// One fit per method with at least two distinct widths of resolved eps, in canonical order.
std::vector<MethodFit> fit_sweep(const std::vector<SweepRow>& rows);

}  // namespace bloomnet
