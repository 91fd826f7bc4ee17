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
#include <functional>
#include <string>
#include <vector>

#include "bloomnet/observer.hpp"
#include "bloomnet/optimizer.hpp"
#include "bloomnet/sweep_table.hpp"
#include "bloomnet/trainer.hpp"

namespace bloomnet {

struct SweepConfig {
  size_t V = 1024, k = 4;
  std::vector<size_t> widths{};
  std::vector<SweepMethod> methods{};
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

// Runs the points of a shard that `out` does not hold yet, rewriting `out` (atomically, in
// canonical order) after each, and returns all of the shard's rows as the file holds them (9
// significant digits, so fits of this call and of the file agree to the last bit). Rows in
// `out` of another sweep or shard are an Error. Progress of each point's training and a note per
// finished point go to `observer`.
std::vector<SweepRow> run_sweep(const SweepConfig& config, const Shard& shard,
                                const std::filesystem::path& out,
                                Observer& observer = silent_observer());

}  // namespace bloomnet
