// The files of the two filters, in the safetensors container every bloomnet file uses (SPEC
// section 7), metadata format = bloomnet/1 and:
//   split-block (split_block_filter.hpp): kind = split_block_filter, blocks, seed, keys_inserted;
//     one U32 tensor `blocks` [blocks, 8], the lanes block after block;
//   classic (bloom_filter.hpp): kind = bloom_filter, V, m, h, seed (a seeded family, rebuilt from
//     them); U64 tensors `bits` [ceil(m / 64)] and `members` [ceil(V / 64)], bit i in word i / 64.
// Loading checks everything (kind, counts, shapes against them, bits past m or V zero, members'
// bits set) and throws Error naming the file and the first problem; a file that cannot be read or
// written is a FileError. Saving goes through AtomicFile.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/split_block_filter.hpp"
#include "bloomnet/weights_io.hpp"

namespace bloomnet {

std::vector<uint8_t> encode_split_block_filter(const SplitBlockFilter& filter,
                                               const Metadata& metadata = {});
SplitBlockFilter decode_split_block_filter(std::span<const uint8_t> bytes,
                                           const std::string& source = "filter");
void save_split_block_filter(const std::filesystem::path& path, const SplitBlockFilter& filter,
                             const Metadata& metadata = {});
SplitBlockFilter load_split_block_filter(const std::filesystem::path& path);

// Throws Error for a filter over an explicit family (only seeded families can be rebuilt).
std::vector<uint8_t> encode_bloom_filter(const BloomFilter& filter, const Metadata& metadata = {});
BloomFilter decode_bloom_filter(std::span<const uint8_t> bytes,
                                const std::string& source = "filter");
void save_bloom_filter(const std::filesystem::path& path, const BloomFilter& filter,
                       const Metadata& metadata = {});
BloomFilter load_bloom_filter(const std::filesystem::path& path);

}  // namespace bloomnet
