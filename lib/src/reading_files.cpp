#include "bloomnet/reading_files.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "bloomnet/atomic_file.hpp"

namespace bloomnet {
namespace {

constexpr size_t kHeatmapTokens = 64;

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

}  // namespace

void write_reading(const std::filesystem::path& dir, const Network& net, const NetworkReading& r,
                   const nlohmann::json& summary, const std::string& title) {
  prepare_output_dir(dir);
  write_text_atomically(dir / "compare.json", summary.dump(2) + "\n");

  const Histogram hist = histogram(net.W_in(), kReadingHistogramBins);
  std::ostringstream h;
  h << "lo,hi,count\n";
  const double width = (hist.hi - hist.lo) / static_cast<double>(kReadingHistogramBins);
  for (size_t i = 0; i < kReadingHistogramBins; ++i) {
    h << format("%.6g", hist.lo + width * static_cast<double>(i)) << ','
      << format("%.6g", hist.lo + width * static_cast<double>(i + 1)) << ',' << hist.counts[i]
      << '\n';
  }
  write_text_atomically(dir / "w_in_histogram.csv", h.str());

  // W_in of the first tokens, one row per token: the essay's picture of the hashes.
  std::ostringstream w;
  const size_t d = net.d();
  for (size_t t = 0; t < std::min(kHeatmapTokens, net.V()); ++t) {
    for (size_t j = 0; j < d; ++j) {
      w << (j ? "," : "") << format("%.5g", net.W_in()[t * d + j]);
    }
    w << '\n';
  }
  write_text_atomically(dir / "w_in_head.csv", w.str());

  std::ostringstream c;
  c << "token,hash_count\n";
  for (size_t t = 0; t < r.hash_counts.size(); ++t) c << t << ',' << r.hash_counts[t] << '\n';
  write_text_atomically(dir / "hash_counts.csv", c.str());

  const Metrics& m = r.metrics;
  const FilterAgreement& f = *m.filter;
  const FilterComparison& random = r.random_filter;
  const double share =
      static_cast<double>(r.modes.hash_entries) / static_cast<double>(net.V() * net.d());
  const bool complement = r.form == ExactForm::kComplement;
  // A mean with its 95% interval over the held-out sets.
  auto interval = [](const char* pattern, double mean, double se) {
    return format(pattern, mean) + " ± " + format("%.2g", 1.96 * se);
  };
  auto pm = [&](const char* pattern, const Estimate& e) { return interval(pattern, e.mean, e.se); };
  std::ostringstream md;
  md << "### " << title << "\n\n"
     << "Measured on " << m.sets
     << " held-out sets; every ± is a 95% interval over those sets (1.96 standard errors).\n\n"
     << "| reading (SPEC section 5) | value |\n|---|---|\n"
     << "| modes of W_in (2-means) | background c0 = " << format("%+.3g", r.modes.background)
     << " (" << format("%.0f", 100 * (1 - share))
     << "% of entries), hash c1 = " << format("%+.3g", r.modes.hash) << " ("
     << format("%.0f", 100 * share) << "%) |\n"
     << "| snap fraction (within 10% of \\|c1 - c0\\| of a mode) | "
     << format("%.3f", r.modes.snap_fraction) << " |\n"
     << "| form | "
     << (complement ? "complement of union: hash bits silence their neurons"
                    : "union: hash bits raise their neurons")
     << " |\n"
     << "| hash bits per token | mean " << format("%.2f", r.hash_count_mean)
     << ", optimum (d/k) ln 2 = " << format("%.2f", r.hash_count_optimum) << " |\n"
     << "| hidden layer vs union bits of H^ | accuracy " << format("%.4f", r.union_match.accuracy)
     << " at threshold " << format("%.3g", r.union_match.threshold) << " (a neuron "
     << (r.union_match.fires_on_union ? "fires" : "is silent") << " on union bits), correlation "
     << format("%+.3f", r.union_match.correlation) << " |\n"
     << "| the net's positives P(S) vs the filter of H^ | exact match " << pm("%.4f", f.exact_match)
     << ", mean Jaccard " << pm("%.4f", f.jaccard) << " |\n"
     << "| a perfect predictor P(S) = S vs the filter of H^ (the oracle) | exact match "
     << pm("%.4f", f.oracle_exact_match) << ", mean Jaccard " << pm("%.4f", f.oracle_jaccard)
     << " |\n"
     << "| a random filter (same m, same hash bits per token) vs the filter of H^ | exact match "
     << pm("%.4f", random.exact_match) << ", mean Jaccard " << pm("%.4f", random.jaccard) << " |\n"
     << "| false positives shared | P(net FP \\| filter FP) "
     << pm("%.3f", f.net_fp_given_filter_fp) << ", P(filter FP \\| net FP) "
     << pm("%.3f", f.filter_fp_given_net_fp) << " |\n"
     << "| FPR (false positives of the positive set over V - k) | the net's P(S) "
     << interval("%.3g", m.fpr_measured, m.fpr_se) << "; the filter of H^ " << pm("%.3g", f.fpr)
     << "; the random filter " << pm("%.3g", random.fpr) << "; classic formula at m = " << net.d()
     << ", h = " << r.theory_hashes << ": " << format("%.3g", r.fpr_theory) << " |\n"
     << "| tokens outside S with a logit >= the least in S, per set (not P(S)) | "
     << interval("%.4g", m.false_positives_mean, m.false_positives_se) << " |\n"
     << "| held-out eps (MSE), top-k exact, recall | " << interval("%.4g", m.mse, m.mse_se) << ", "
     << interval("%.4f", m.topk_exact, m.topk_exact_se) << ", "
     << interval("%.4f", m.recall, m.recall_se) << " |\n\n"
     << "![W_in of the first tokens](w_in_heatmap.png)\n"
     << "![Histogram of W_in](w_in_histogram.png)\n"
     << "![Hash bits per token](hash_counts.png)\n";
  write_text_atomically(dir / "COMPARE.md", md.str());
}

}  // namespace bloomnet
