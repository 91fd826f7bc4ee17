// What `bloomnet compare` writes about a network read as a Bloom filter (SPEC section 5), shared
// with `bloomnet report`: the JSON summary, and in a directory the data of its figures
// (w_in_histogram.csv, w_in_head.csv, hash_counts.csv, drawn by reports/render.py), compare.json
// and COMPARE.md, a markdown section.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bloomnet/analysis.hpp"
#include "bloomnet/network.hpp"

namespace bloomnet::cli {

nlohmann::json reading_json(const Network& net, const NetworkReading& reading, size_t k);

// Every file is written atomically; `title` heads the markdown section.
void write_reading(const std::filesystem::path& dir, const Network& net,
                   const NetworkReading& reading, const nlohmann::json& summary,
                   const std::string& title);

}  // namespace bloomnet::cli
