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
#include "bloomnet/weights_io.hpp"

namespace bloomnet {

// sets, mse, ce, topk_exact, false_positives_mean, recall, fpr_measured, and with a reference
// filter filter_agreement, filter_jaccard, filter_fpr_measured.
void to_json(nlohmann::json& out, const Metrics& metrics);

// `bloomnet eval`: the held-out metrics of a network read from a file with this metadata, and
// for an exact net (metadata kind = exact) its agreement with the Bloom filter it records, with
// m, h, form, beta and the theoretical FPRs: kind, V, d, k, seed, kernels, then the metrics.
nlohmann::json evaluation_json(const Network& net, const Metadata& metadata,
                               const EvalConfig& config);
// What `bloomnet compare` prints of a network read at set size k (the keys README lists), with
// the held-out metrics under "metrics".
nlohmann::json reading_json(const Network& net, const NetworkReading& reading, size_t k);

// {"value": v, "ci95": [lo, hi]}: a 95% interval (null ends when unknown).
void to_json(nlohmann::json& out, const Measured& measured);

// method, widths, tail, saturated, unresolved, slope_per_width (with ci95), intercept (with ci95),
// r2_linear, slope_log_log (with ci95), intercept_log_log, r2_log_log, width_per_nat,
// curvature_linear, curvature_log_log and their ceiling-corrected twins (95% intervals), law,
// reason.
void to_json(nlohmann::json& out, const MethodFit& fit);

// method, width, rows, saturated, unresolved, mse_upper, hashes, and every Measured of WidthCell.
void to_json(nlohmann::json& out, const WidthCell& cell);

// The measurements of compile_network (not the filter itself), with the kernels' name.
void to_json(nlohmann::json& out, const CompiledNetwork& compiled);

// V, m, h, sets_per_point and the points (n, fpr_measured, fpr_stderr, fpr_ci95, fpr_theory,
// fpr_distinct).
void to_json(nlohmann::json& out, const FprCurve& curve);

// claim, rule, answer, evidence.
void to_json(nlohmann::json& out, const Verdict& verdict);

}  // namespace bloomnet
