// The headline suite of `bloomnet report`, end to end, into one directory:
//   1. the reference training run (V 1024, k 4, d 64, Adam 0.01, ce2mse, cosine): weights
//      (reference.safetensors) and its log (train_log.csv);
//   2. the trained network and the exact construction of the same size read as Bloom filters
//      (compare/, compare_exact/: reading_files.hpp);
//   3. the trained network compiled into the filter of its hashes (compiled.safetensors);
//   4. the width sweep (sweep.csv) with its fits;
//   5. a filter's measured FPR against both theories (fpr_curve.csv);
//   6. a benchmark summary and the verdicts on the essay's claims (verdicts.hpp);
// all summed up in report.json; then render_report has reports/render.py draw the figures and
// write REPORT.md from those files. Progress and a note per stage go to the observer.
//
// Thread safety: one report per directory; it parallelizes inside (OpenMP).
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bloomnet/observer.hpp"
#include "bloomnet/sweep_table.hpp"

namespace bloomnet {

struct ReportConfig {
  std::filesystem::path out = "reports/latest";
  bool quick = false;  // every stage smaller (the defaults below in parentheses)
  // Zero or empty: the default of the mode.
  size_t steps = 0;            // reference training steps: 20000 (4000)
  size_t sweep_steps = 0;      // training steps per sweep width: 20000 (3000)
  size_t sets = 0;             // held-out sets everywhere: 4096 (1024)
  std::vector<size_t> widths;  // sweep widths: 16,32,48,64,80,96,128 (16,32,48,64)
  std::vector<SweepMethod> methods = {SweepMethod::kTrained, SweepMethod::kLinear,
                                      SweepMethod::kExact, SweepMethod::kJl, SweepMethod::kTheory};
};

// Runs stages 1-6 and returns report.json's content. Throws Error for a bad configuration or an
// output directory that cannot be written, before any work.
nlohmann::json run_report(const ReportConfig& config, Observer& observer = silent_observer());

// Stage 7: `python renderer dir` draws the figures and writes dir/REPORT.md; Error when the
// renderer is missing or fails.
void render_report(const std::filesystem::path& dir, const std::filesystem::path& renderer,
                   const std::string& python, Observer& observer = silent_observer());

}  // namespace bloomnet
