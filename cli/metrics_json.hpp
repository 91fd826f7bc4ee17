// The held-out metrics as JSON, one spelling for every command that prints them (eval, train).
#pragma once

#include <nlohmann/json.hpp>

#include "bloomnet/metrics.hpp"

namespace bloomnet::cli {

inline nlohmann::json metrics_json(const Metrics& metrics) {
  nlohmann::json out = {{"sets", metrics.sets},
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
  return out;
}

}  // namespace bloomnet::cli
