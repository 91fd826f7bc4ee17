// Every result of the library spelled as JSON, once: what the commands print, what report.json
// holds and what reports/render.py reads. The to_json overloads follow nlohmann's convention, so
// `nlohmann::json j = metrics;` and vectors of results convert directly.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "bloomnet/analysis.hpp"
#include "bloomnet/compile.hpp"
#include "bloomnet/fpr_curve.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/verdicts.hpp"

namespace bloomnet {

// sets, mse, ce, topk_exact, false_positives_mean, recall, fpr_measured, and with a reference
// filter filter_agreement, filter_jaccard, filter_fpr_measured.
void to_json(nlohmann::json& out, const Metrics& metrics);

// What `bloomnet compare` prints of a network read at set size k (the keys README lists), with
// the held-out metrics under "metrics".
nlohmann::json reading_json(const Network& net, const NetworkReading& reading, size_t k);

// method, points, unresolved, slope_per_width, intercept, r2_linear, slope_log_log,
// intercept_log_log, r2_log_log, widths, law.
void to_json(nlohmann::json& out, const MethodFit& fit);

// method, width, rows, mse, hashes, still_improving.
void to_json(nlohmann::json& out, const SweepCell& cell);

// The measurements of compile_network (not the filter itself), with the kernels' name.
void to_json(nlohmann::json& out, const CompiledNetwork& compiled);

// V, m, h, sets_per_point and the points (n, fpr_measured, fpr_stderr, fpr_theory,
// fpr_distinct).
void to_json(nlohmann::json& out, const FprCurve& curve);

// claim, rule, answer, evidence.
void to_json(nlohmann::json& out, const Verdict& verdict);

}  // namespace bloomnet
