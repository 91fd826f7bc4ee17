// The study behind `bloomnet report`: the essay's claims and the studies a reviewer asks for,
// end to end, into one directory, every number with its 95% interval:
//   1. the reference training run (V 1024, k 4, d 64, Adam 0.01, ce2mse, cosine): weights
//      (reference.safetensors) and its log (train_log.csv); the same configuration and seed as
//      the width sweep's trained point at d = 64, seed 0, so the same net;
//   2. the trained network and the exact construction of the same size read as Bloom filters
//      (compare/, compare_exact/: reading_files.hpp);
//   3. the trained network compiled into the filter of its hashes (compiled.safetensors);
//   4. the sweeps of the study plan (StudyPlan below), each a resumable, shardable CSV
//      (width_sweep.hpp): eps against width for every method over several seeds, its scaling
//      with k and V, the training budget, the loss ablation, variable k and Zipf tokens;
//   5. the accuracy/compute frontier (frontier.csv): FPR against bytes and query time of the
//      trained net, the exact net, the compiled filter and the bit-packed Bloom filter;
//   6. a filter's FPR against theory (fpr_curve.csv), the fits, the verdicts on the claims
//      (verdicts.hpp) and a benchmark summary;
// all summed up in report.json; then render_report has reports/render.py draw the figures and
// write REPORT.md from those files. Progress and a note per stage go to the observer.
//
// Thread safety: one report per directory; it parallelizes inside (OpenMP, and `jobs` sweep
// points side by side).
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/observer.hpp"
#include "bloomnet/width_sweep.hpp"

namespace bloomnet {

// How much of the study to run: quick (every stage tiny: tests and a first look, about a
// minute), default (every study on a smaller grid, with intervals, under 15 minutes on 2
// cores), full (the whole study, about an hour on 2 cores; the committed reference).
enum class StudyScale { kQuick, kDefault, kFull };
template <>
struct EnumNames<StudyScale> {
  static constexpr const char* kWhat = "scale";
  static constexpr std::pair<StudyScale, const char*> kNames[] = {{StudyScale::kQuick, "quick"},
                                                                  {StudyScale::kDefault, "default"},
                                                                  {StudyScale::kFull, "full"}};
};

struct ReportConfig {
  std::filesystem::path out = "reports/latest";
  StudyScale scale = StudyScale::kDefault;
  size_t jobs = 1;  // sweep points run side by side
  Shard shard{};    // not 1/1: run only this shard of every sweep, then stop (a cluster job)
  // Zero or empty: the scale's choice.
  size_t steps = 0;              // reference training steps
  size_t sweep_steps = 0;        // training steps of every sweep (budgets scale with it)
  size_t sets = 0;               // held-out sets everywhere, without drawing more for rare events
  size_t seeds = 0;              // seeds per point
  std::vector<size_t> widths{};  // the width sweep's widths
};

// One sweep of the study: its CSV is <out>/<name>.csv.
struct StudyPart {
  std::string name;
  std::string question;  // what it answers, for the report
  SweepConfig sweep;
};

struct StudyPlan {
  StudyScale scale = StudyScale::kDefault;
  size_t reference_steps = 0, reference_sets = 0;
  std::vector<StudyPart> parts{};
  // The widths of the training-budget study and its budgets (the width sweep's included).
  std::vector<size_t> budget_widths{}, budget_steps{};
};

// The plan of a configuration: which sweeps, on which grids.
StudyPlan study_plan(const ReportConfig& config);

// Runs stages 1-6 and returns report.json's content; with a shard, runs only that shard of every
// sweep and returns a summary of what it wrote. Throws Error for a bad configuration or an output
// directory that cannot be written, before any work.
nlohmann::json run_report(const ReportConfig& config, Observer& observer = silent_observer());

// Stage 7: `python renderer dir` draws the figures and writes dir/REPORT.md; Error when the
// renderer is missing or fails.
void render_report(const std::filesystem::path& dir, const std::filesystem::path& renderer,
                   const std::string& python, Observer& observer = silent_observer());

}  // namespace bloomnet
