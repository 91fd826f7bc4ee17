// What a network read as a Bloom filter (analysis.hpp) leaves in a directory, for
// `bloomnet compare --out` and the report: compare.json (the summary), the data of its figures
// (w_in_histogram.csv, w_in_head.csv: W_in of the first 64 tokens, hash_counts.csv), which
// reports/render.py draws, and COMPARE.md, a markdown section.
//
// Thread safety: distinct directories may be written concurrently.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bloomnet/analysis.hpp"
#include "bloomnet/network.hpp"

namespace bloomnet {

// Every file is written atomically; `summary` is compare.json's content, `title` heads the
// markdown section.
void write_reading(const std::filesystem::path& dir, const Network& net,
                   const NetworkReading& reading, const nlohmann::json& summary,
                   const std::string& title);

}  // namespace bloomnet
