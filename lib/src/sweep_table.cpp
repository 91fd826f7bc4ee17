#include "bloomnet/sweep_table.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"
#include "csv_table.hpp"

namespace bloomnet {
namespace {

std::string number(double value) {
  if (std::isnan(value)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// An empty field is a value that does not apply (NaN).
double optional_number(std::string_view field, const std::string& what) {
  return field.empty() ? NAN : parse_number(field, what);
}

// A column of numbers: the member it holds, written and read the same way.
template <double SweepRow::*member>
constexpr csv::Column<SweepRow> number_column(const char* name) {
  return {name, [](const SweepRow& r) { return number(r.*member); },
          [](std::string_view f, const std::string& what, SweepRow& r) {
            r.*member = optional_number(f, what);
          }};
}

// A column of counts.
template <size_t SweepRow::*member>
constexpr csv::Column<SweepRow> count_column(const char* name) {
  return {name, [](const SweepRow& r) { return std::to_string(r.*member); },
          [](std::string_view f, const std::string& what, SweepRow& r) {
            r.*member = parse_count(f, what);
          }};
}

// The file's columns, in order: the header, the writer and the reader all come from here.
constexpr csv::Column<SweepRow> kColumns[] = {
    {"method", [](const SweepRow& r) { return std::string(to_string(r.point.method)); },
     [](std::string_view f, const std::string& what, SweepRow& r) {
       try {
         r.point.method = from_string<SweepMethod>(f);
       } catch (const Error& e) {
         throw Error(what + ": " + e.what());
       }
     }},
    {"width", [](const SweepRow& r) { return std::to_string(r.point.width); },
     [](std::string_view f, const std::string& what, SweepRow& r) {
       r.point.width = parse_count(f, what);
       require(r.point.width >= 1, what + ": width 0");
     }},
    {"seed", [](const SweepRow& r) { return std::to_string(r.point.seed); },
     [](std::string_view f, const std::string& what, SweepRow& r) {
       r.point.seed = parse_count(f, what);
     }},
    count_column<&SweepRow::V>("vocab"),
    count_column<&SweepRow::k>("k"),
    count_column<&SweepRow::k_max>("k_max"),
    {"zipf", [](const SweepRow& r) { return number(r.zipf); },
     [](std::string_view f, const std::string& what, SweepRow& r) {
       r.zipf = parse_number(f, what);
     }},
    {"training", [](const SweepRow& r) { return r.training; },
     [](std::string_view f, const std::string&, SweepRow& r) { r.training = f; }},
    number_column<&SweepRow::hashes>("hashes"),
    number_column<&SweepRow::beta>("beta"),
    number_column<&SweepRow::theta>("theta"),
    number_column<&SweepRow::sets>("sets"),
    number_column<&SweepRow::mse>("mse"),
    number_column<&SweepRow::mse_se>("mse_se"),
    number_column<&SweepRow::ce>("ce"),
    number_column<&SweepRow::topk_exact>("topk_exact"),
    number_column<&SweepRow::topk_exact_se>("topk_exact_se"),
    number_column<&SweepRow::false_positives_mean>("false_positives_mean"),
    number_column<&SweepRow::false_positive_events>("false_positive_events"),
    number_column<&SweepRow::recall>("recall"),
    number_column<&SweepRow::fpr_measured>("fpr_measured"),
    number_column<&SweepRow::fpr_se>("fpr_se"),
    number_column<&SweepRow::snap_fraction>("snap_fraction"),
    number_column<&SweepRow::union_accuracy>("union_accuracy"),
    number_column<&SweepRow::agreement_exact_match>("agreement_exact_match"),
    number_column<&SweepRow::agreement_exact_match_se>("agreement_exact_match_se"),
    number_column<&SweepRow::agreement_jaccard>("agreement_jaccard"),
    number_column<&SweepRow::agreement_jaccard_se>("agreement_jaccard_se"),
    number_column<&SweepRow::oracle_exact_match>("oracle_exact_match"),
    number_column<&SweepRow::oracle_exact_match_se>("oracle_exact_match_se"),
    number_column<&SweepRow::oracle_jaccard>("oracle_jaccard"),
    number_column<&SweepRow::oracle_jaccard_se>("oracle_jaccard_se"),
    number_column<&SweepRow::random_jaccard>("random_jaccard"),
    number_column<&SweepRow::random_jaccard_se>("random_jaccard_se"),
    number_column<&SweepRow::filter_fpr>("filter_fpr"),
    number_column<&SweepRow::filter_fpr_se>("filter_fpr_se"),
    number_column<&SweepRow::random_fpr>("random_fpr"),
    number_column<&SweepRow::random_fpr_se>("random_fpr_se"),
    number_column<&SweepRow::net_fp_given_filter_fp>("net_fp_given_filter_fp"),
    number_column<&SweepRow::filter_fp_given_net_fp>("filter_fp_given_net_fp"),
};

std::string task_text(const SweepRow& row) {
  return "V = " + std::to_string(row.V) + ", k = " + std::to_string(row.k) +
         (row.k_max ? "-" + std::to_string(row.k_max) : "") +
         (row.zipf != 0 ? ", Zipf " + number(row.zipf) : "");
}

}  // namespace

std::string to_string(const SweepPoint& point) {
  return std::string(to_string(point.method)) + " d=" + std::to_string(point.width) + " seed " +
         std::to_string(point.seed);
}

std::string sweep_csv(std::vector<SweepRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.point < b.point; });
  return csv::write<SweepRow>(std::span(kColumns), rows);
}

std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source) {
  return csv::parse<SweepRow>(std::span(kColumns), text, source);
}

std::vector<SweepRow> read_sweep_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  require_file(in.good() && std::filesystem::is_regular_file(path),
               "cannot read '" + path.string() + "' (missing or not a regular file)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep_csv(text.str(), path.string());
}

std::vector<SweepRow> read_sweep_csvs(const std::vector<std::filesystem::path>& paths) {
  std::vector<SweepRow> rows;
  for (const std::filesystem::path& path : paths) {
    for (SweepRow& row : read_sweep_csv(path)) rows.push_back(std::move(row));
  }
  return merge_sweep_rows(std::move(rows));
}

std::vector<SweepRow> merge_sweep_rows(std::vector<SweepRow> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const SweepRow& a, const SweepRow& b) { return a.point < b.point; });
  std::vector<SweepRow> out;
  std::string training;
  for (SweepRow& row : rows) {
    if (!out.empty()) {
      const SweepRow& first = out.front();
      require(row.V == first.V && row.k == first.k && row.k_max == first.k_max &&
                  row.zipf == first.zipf,
              "rows of different sweeps: " + task_text(row) + " beside " + task_text(first));
    }
    if (!row.training.empty()) {
      require(training.empty() || training == row.training,
              "rows of different training: '" + row.training + "' beside '" + training + "'");
      training = row.training;
    }
    if (!out.empty() && out.back().point == row.point) {
      require(csv::line<SweepRow>(std::span(kColumns), out.back()) ==
                  csv::line<SweepRow>(std::span(kColumns), row),
              "two different rows for " + to_string(row.point));
      continue;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace bloomnet
