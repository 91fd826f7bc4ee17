#include "bloomnet/results_json.hpp"

#include <memory>
#include <optional>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/construct.hpp"

namespace bloomnet {

using nlohmann::json;

namespace {

// key: the mean, key_se: its standard error.
void put(json& out, const std::string& key, double mean, double se) {
  out[key] = mean;
  out[key + "_se"] = se;
}
void put(json& out, const std::string& key, const Estimate& e) { put(out, key, e.mean, e.se); }

}  // namespace

void to_json(json& out, const Metrics& m) {
  out = {{"sets", m.sets},
         {"uncertainty", "each *_se is the standard error of its mean over the held-out sets"},
         {"false_positive_events", m.false_positive_events}};
  put(out, "mse", m.mse, m.mse_se);
  put(out, "ce", m.ce, m.ce_se);
  put(out, "topk_exact", m.topk_exact, m.topk_exact_se);
  put(out, "false_positives_mean", m.false_positives_mean, m.false_positives_se);
  put(out, "recall", m.recall, m.recall_se);
  put(out, "fpr_measured", m.fpr_measured, m.fpr_se);
  if (m.filter) {
    const FilterAgreement& f = *m.filter;
    put(out, "filter_agreement", f.exact_match);
    put(out, "filter_jaccard", f.jaccard);
    put(out, "filter_fpr_measured", f.fpr);
    put(out, "oracle_agreement", f.oracle_exact_match);
    put(out, "oracle_jaccard", f.oracle_jaccard);
    put(out, "net_fp_given_filter_fp", f.net_fp_given_filter_fp);
    put(out, "filter_fp_given_net_fp", f.filter_fp_given_net_fp);
  }
}

json evaluation_json(const Network& net, const Metadata& metadata, const EvalConfig& config) {
  const std::optional<ExactConfig> exact = exact_config(metadata);
  std::shared_ptr<const HashFamily> family;
  if (exact) family = std::make_shared<HashFamily>(net.V(), exact->m, exact->h, exact->seed);
  const Metrics metrics = evaluate(net, config, family);
  const auto kind = metadata.find("kind");
  json out = {{"kind", kind != metadata.end() ? json(kind->second) : json(nullptr)},
              {"V", net.V()},
              {"d", net.d()},
              {"k", config.k},
              {"seed", config.seed},
              {"kernels", simd_kernels().name}};
  out.update(json(metrics));
  if (exact) {
    out["m"] = exact->m;
    out["h"] = exact->h;
    out["form"] = to_string(exact->form);
    out["beta"] = exact->beta;
    out["fpr_theory"] = fpr_theory(exact->m, exact->h, config.k);
    out["fpr_theory_distinct"] = fpr_distinct(exact->m, exact->h, config.k).mean;
  }
  return out;
}

json reading_json(const Network& net, const NetworkReading& r, size_t k) {
  const Metrics& m = r.metrics;
  json out = {{"V", net.V()},
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
              {"false_positives_mean", m.false_positives_mean},
              {"false_positives_se", m.false_positives_se},
              {"fpr_measured", m.fpr_measured},
              {"fpr_se", m.fpr_se},
              {"theory_hashes", r.theory_hashes},
              {"fpr_theory", r.fpr_theory},
              {"false_positives_theory", r.fpr_theory * static_cast<double>(net.V() - k)},
              {"metrics", m}};
  const FilterAgreement& f = *m.filter;
  put(out, "agreement_exact_match", f.exact_match);
  put(out, "agreement_jaccard", f.jaccard);
  put(out, "filter_fpr_measured", f.fpr);
  put(out, "oracle_exact_match", f.oracle_exact_match);
  put(out, "oracle_jaccard", f.oracle_jaccard);
  put(out, "random_filter_fpr", r.random_filter.fpr);
  put(out, "random_filter_jaccard", r.random_filter.jaccard);
  put(out, "net_fp_given_filter_fp", f.net_fp_given_filter_fp);
  put(out, "filter_fp_given_net_fp", f.filter_fp_given_net_fp);
  return out;
}

void to_json(json& out, const Measured& m) {
  out = {{"value", m.value}, {"ci95", {m.ci.lo, m.ci.hi}}};
}

void to_json(json& out, const MethodFit& f) {
  out = {{"method", to_string(f.method)},
         {"widths", f.widths},
         {"tail", f.tail},
         {"saturated", f.saturated},
         {"unresolved", f.unresolved},
         {"slope_per_width", Measured{f.linear.slope, f.slope_ci}},
         {"intercept", Measured{f.linear.intercept, f.intercept_ci}},
         {"r2_linear", f.linear.r2},
         {"slope_log_log", Measured{f.log_log.slope, f.log_log_slope_ci}},
         {"intercept_log_log", f.log_log.intercept},
         {"r2_log_log", f.log_log.r2},
         {"width_per_nat", f.width_per_nat},
         {"curvature_linear", f.curvature_linear},
         {"curvature_log_log", f.curvature_log_log},
         {"corrected_curvature_linear", f.corrected_curvature_linear},
         {"corrected_curvature_log_log", f.corrected_curvature_log_log},
         {"law", to_string(f.law)},
         {"reason", f.reason}};
}

void to_json(json& out, const WidthCell& c) {
  out = {{"method", to_string(c.method)},
         {"width", c.width},
         {"rows", c.rows},
         {"saturated", c.saturated},
         {"unresolved", c.unresolved},
         {"mse_upper", c.mse_upper},
         {"hashes", c.hashes},
         {"mse", c.mse},
         {"topk_exact", c.topk_exact},
         {"fpr", c.fpr}};
  if (is_trained(c.method)) {
    out.update({{"snap_fraction", c.snap_fraction},
                {"union_accuracy", c.union_accuracy},
                {"agreement_exact_match", c.agreement_exact_match},
                {"agreement_jaccard", c.agreement_jaccard},
                {"oracle_exact_match", c.oracle_exact_match},
                {"oracle_jaccard", c.oracle_jaccard},
                {"random_jaccard", c.random_jaccard},
                {"filter_fpr", c.filter_fpr},
                {"random_fpr", c.random_fpr},
                {"jaccard_over_oracle", c.jaccard_over_oracle},
                {"jaccard_over_random", c.jaccard_over_random}});
  }
}

void to_json(json& out, const CompiledNetwork& c) {
  out = {{"V", c.filter.V()},
         {"m", c.filter.m()},
         {"hash_count_mean", c.hash_count_mean},
         {"filter_bytes", c.filter.masks().size() * sizeof(uint64_t)},
         {"k", c.k},
         {"sets", c.sets},
         {"agreement_exact_match", c.agreement_exact_match.mean},
         {"agreement_exact_match_se", c.agreement_exact_match.se},
         {"agreement_jaccard", c.agreement_jaccard.mean},
         {"agreement_jaccard_se", c.agreement_jaccard.se},
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
                      {"fpr_ci95", {p.ci.lo, p.ci.hi}},
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
