#include "bloomnet/results_json.hpp"

#include "bloomnet/construct.hpp"

namespace bloomnet {

using nlohmann::json;

void to_json(json& out, const Metrics& metrics) {
  out = {{"sets", metrics.sets},
         {"mse", metrics.mse},
         {"ce", metrics.ce},
         {"topk_exact", metrics.topk_exact},
         {"false_positives_mean", metrics.false_positives_mean},
         {"recall", metrics.recall},
         {"fpr_measured", metrics.fpr_measured}};
  if (metrics.filter_agreement) {
    out["filter_agreement"] = *metrics.filter_agreement;
    out["filter_jaccard"] = *metrics.filter_jaccard;
    out["filter_fpr_measured"] = *metrics.filter_fpr;
  }
}

json reading_json(const Network& net, const NetworkReading& r, size_t k) {
  const Metrics& m = r.metrics;
  return {{"V", net.V()},
          {"d", net.d()},
          {"k", k},
          {"activation", to_string(net.activation())},
          {"modes", {{"background", r.modes.background}, {"hash", r.modes.hash}}},
          {"hash_entries", r.modes.hash_entries},
          {"snap_fraction", r.modes.snap_fraction},
          {"hash_count_mean", r.hash_count_mean},
          {"hash_count_optimum", r.hash_count_optimum},
          {"form", to_string(r.form)},
          {"union_accuracy", r.union_match.accuracy},
          {"union_threshold", r.union_match.threshold},
          {"union_fires_on_union", r.union_match.fires_on_union},
          {"union_correlation", r.union_match.correlation},
          {"agreement_exact_match", *m.filter_agreement},
          {"agreement_jaccard", *m.filter_jaccard},
          {"false_positives_mean", m.false_positives_mean},
          {"fpr_measured", m.fpr_measured},
          {"filter_fpr_measured", *m.filter_fpr},
          {"theory_hashes", r.theory_hashes},
          {"fpr_theory", r.fpr_theory},
          {"false_positives_theory", r.fpr_theory * static_cast<double>(net.V() - k)},
          {"metrics", m}};
}

void to_json(json& out, const MethodFit& f) {
  out = {{"method", to_string(f.method)},    {"points", f.linear.points},
         {"unresolved", f.unresolved},       {"slope_per_width", f.linear.slope},
         {"intercept", f.linear.intercept},  {"r2_linear", f.linear.r2},
         {"slope_log_log", f.log_log.slope}, {"intercept_log_log", f.log_log.intercept},
         {"r2_log_log", f.log_log.r2},       {"widths", f.widths},
         {"law", to_string(f.law)}};
}

void to_json(json& out, const SweepCell& cell) {
  out = {{"method", to_string(cell.method)},
         {"width", cell.width},
         {"rows", cell.rows},
         {"mse", cell.mse},
         {"hashes", cell.hashes},
         {"still_improving", cell.still_improving}};
}

void to_json(json& out, const CompiledNetwork& c) {
  out = {{"V", c.filter.V()},
         {"m", c.filter.m()},
         {"hash_count_mean", c.hash_count_mean},
         {"filter_bytes", c.filter.masks().size() * sizeof(uint64_t)},
         {"k", c.k},
         {"sets", c.sets},
         {"agreement_exact_match", c.agreement_exact_match},
         {"agreement_jaccard", c.agreement_jaccard},
         {"network_ns_per_query", c.network_ns_per_query},
         {"filter_ns_per_query", c.filter_ns_per_query},
         {"speedup", c.speedup},
         {"kernels", c.kernels}};
}

void to_json(json& out, const FprCurve& curve) {
  json points = json::array();
  for (const FprCurvePoint& p : curve.points) {
    points.push_back({{"n", p.n},
                      {"fpr_measured", p.measured},
                      {"fpr_stderr", p.std_error},
                      {"fpr_theory", p.theory},
                      {"fpr_distinct", p.distinct}});
  }
  out = {{"V", curve.V},
         {"m", curve.m},
         {"h", curve.h},
         {"sets_per_point", curve.sets},
         {"points", points}};
}

void to_json(json& out, const Verdict& v) {
  out = {{"claim", v.claim},
         {"rule", v.rule},
         {"answer", to_string(v.answer)},
         {"evidence", v.evidence}};
}

}  // namespace bloomnet
