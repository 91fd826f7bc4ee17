#include "bloomnet/reading_files.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "bloomnet/atomic_file.hpp"

namespace bloomnet {
namespace {

constexpr size_t kHistogramBins = 60;
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

  const Histogram hist = histogram(net.W_in(), kHistogramBins);
  std::ostringstream h;
  h << "lo,hi,count\n";
  const double width = (hist.hi - hist.lo) / static_cast<double>(kHistogramBins);
  for (size_t i = 0; i < kHistogramBins; ++i) {
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
  const double share =
      static_cast<double>(r.modes.hash_entries) / static_cast<double>(net.V() * net.d());
  const bool complement = r.form == ExactForm::kComplement;
  std::ostringstream md;
  md << "### " << title << "\n\n"
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
     << "| net's positives P(S) vs the filter of H^ | exact match "
     << format("%.4f", *m.filter_agreement) << ", mean Jaccard "
     << format("%.4f", *m.filter_jaccard) << " |\n"
     << "| false positives per set | net " << format("%.4g", m.false_positives_mean)
     << " (FPR of P(S) " << format("%.3g", m.fpr_measured) << "); filter of H^: FPR "
     << format("%.3g", *m.filter_fpr) << "; random filter with m = " << net.d()
     << ", h = " << r.theory_hashes << ": FPR " << format("%.3g", r.fpr_theory) << " |\n"
     << "| held-out eps (MSE), top-k exact, recall | " << format("%.4g", m.mse) << ", "
     << format("%.4f", m.topk_exact) << ", " << format("%.4f", m.recall) << " |\n\n"
     << "![W_in of the first tokens](w_in_heatmap.png)\n"
     << "![Histogram of W_in](w_in_histogram.png)\n"
     << "![Hash bits per token](hash_counts.png)\n";
  write_text_atomically(dir / "COMPARE.md", md.str());
}

}  // namespace bloomnet
