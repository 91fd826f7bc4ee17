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
// rows of the unsharded run. run_sweep keeps a shard's rows in a CSV file (sweep_table.hpp)
// rewritten atomically after every point, so an interrupted sweep keeps its finished rows and the
// same call completes it; the fits are in sweep_fit.hpp.
//
// Thread safety: free functions; run_point and run_sweep parallelize inside (OpenMP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bloomnet/observer.hpp"
#include "bloomnet/optimizer.hpp"
#include "bloomnet/sweep_table.hpp"
#include "bloomnet/trainer.hpp"

namespace bloomnet {

struct SweepConfig {
  // The task: sets of k (or k..k_max) tokens of V, uniform or Zipf(zipf).
  size_t V = 1024, k = 4, k_max = 0;
  double zipf = 0.0;
  std::vector<size_t> widths{};
  std::vector<SweepMethod> methods{};
  size_t seeds = 1;  // seeds 0 .. seeds - 1 of every stochastic method (theory has seed 0 only)
  // Training of the trained and linear networks.
  size_t steps = 20000, batch = 256;
  double lr = 0.01;
  LossSchedule loss = LossSchedule::kCeToMse;
  Schedule schedule = Schedule::kCosine;
  // Held-out evaluation (the same sets for every method): at least eval_sets sets, doubled up to
  // max_eval_sets until min_false_positives false positives were seen (metrics.hpp).
  size_t eval_sets = 4096;
  size_t max_eval_sets = 0;  // 0: eval_sets exactly
  size_t min_false_positives = kMinFalsePositives;
  uint64_t eval_seed = 1;
  // Training sets (never the held-out ones) on which JL's beta and theta and the exact
  // construction's h are chosen.
  size_t tuning_sets = 1024;
  // The exact construction's beta: leakage V e^-beta is far below any eps a sweep resolves.
  float exact_beta = 60.0f;
  // Read trained and linear nets as Bloom filters (the reading columns), on eval_sets sets.
  bool read_nets = true;
  // When set, trained and linear nets are saved there as <method>_d<width>_s<seed>.safetensors.
  std::filesystem::path nets_dir{};

  // What determines a trained row beyond (method, width, seed): "steps=... batch=... lr=...
  // loss=... schedule=...". Rows of another description belong to another sweep.
  std::string training_description() const;
};

// Throws Error naming the first bad value: V < 2, k outside [1, V - 1], k_max outside [k, V - 1],
// no widths or a width of 0, no methods or a repeated one, theory with a k range or Zipf tokens
// (its closed form assumes neither), seeds 0, no eval sets, or training settings Trainer refuses.
void validate(const SweepConfig& config);

// "I/N" with 1 <= I <= N; Error with the text otherwise.
struct Shard {
  size_t index = 1, count = 1;
};
Shard parse_shard(const std::string& text);

// The whole grid in canonical order, and the part of it a shard runs.
std::vector<SweepPoint> sweep_grid(const SweepConfig& config);
std::vector<SweepPoint> shard_points(const SweepConfig& config, const Shard& shard);

// Runs one point of the grid. `progress(done, total)` is called during training (steps).
SweepRow run_point(const SweepConfig& config, const SweepPoint& point,
                   const std::function<void(size_t, size_t)>& progress = nullptr);

// The path run_point saves a trained or linear net to when config.nets_dir is set.
std::filesystem::path net_path(const SweepConfig& config, const SweepPoint& point);

// Runs the points of a shard that `out` does not hold yet, rewriting `out` (atomically, in
// canonical order) after each, and returns all of the shard's rows as the file holds them (9
// significant digits, so fits of this call and of the file agree to the last bit). Rows in
// `out` of another sweep or shard are an Error. A note per finished point goes to `observer`,
// and with one job the progress of each point's training.
//
// `jobs` points run side by side, each on its share of the OpenMP threads: points that cannot
// use every core alone (a small network) finish sooner together. Every point's result is the
// same whatever the jobs and threads.
std::vector<SweepRow> run_sweep(const SweepConfig& config, const Shard& shard,
                                const std::filesystem::path& out,
                                Observer& observer = silent_observer(), size_t jobs = 1);

}  // namespace bloomnet
