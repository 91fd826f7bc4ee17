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
// A split-block filter file also opens by memory map (MappedSplitBlockFilter): the header is
// checked as loading checks it, the lanes stay in the file (read-only, paged in as queries touch
// them), so a filter of any size opens in the time of reading its header.
//
// Thread safety: free functions without shared state; a MappedSplitBlockFilter is immutable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/bloom_filter.hpp"
#include "bloomnet/mapped_file.hpp"
#include "bloomnet/split_block_filter.hpp"
#include "bloomnet/weights_io.hpp"

namespace bloomnet {

// The split-block filter a file's bytes hold, checked, as a view into those bytes (no copy; they
// must outlive it): what decoding and opening by map share.
SplitBlockFilterView view_split_block_filter(std::span<const uint8_t> bytes,
                                             const std::string& source = "filter",
                                             const KernelSet& kernels = simd_kernels());

std::vector<uint8_t> encode_split_block_filter(const SplitBlockFilter& filter,
                                               const Metadata& metadata = {});
SplitBlockFilter decode_split_block_filter(std::span<const uint8_t> bytes,
                                           const std::string& source = "filter");
void save_split_block_filter(const std::filesystem::path& path, const SplitBlockFilter& filter,
                             const Metadata& metadata = {});
SplitBlockFilter load_split_block_filter(const std::filesystem::path& path);

// A split-block filter file mapped read-only: its queries run on the file's pages.
class MappedSplitBlockFilter {
 public:
  // Throws FileError when the file cannot be opened or mapped, Error for one that does not hold
  // a split-block filter (view_split_block_filter's checks).
  static MappedSplitBlockFilter open(const std::filesystem::path& path,
                                     const KernelSet& kernels = simd_kernels());
  const SplitBlockFilterView& view() const { return view_; }

 private:
  MappedSplitBlockFilter(MappedFile file, const SplitBlockFilterView& view)
      : file_(std::move(file)), view_(view) {}
  MappedFile file_;  // declared first: the view points into it
  SplitBlockFilterView view_;
};

// Throws Error for a filter over an explicit family (only seeded families can be rebuilt).
std::vector<uint8_t> encode_bloom_filter(const BloomFilter& filter, const Metadata& metadata = {});
BloomFilter decode_bloom_filter(std::span<const uint8_t> bytes,
                                const std::string& source = "filter");
void save_bloom_filter(const std::filesystem::path& path, const BloomFilter& filter,
                       const Metadata& metadata = {});
BloomFilter load_bloom_filter(const std::filesystem::path& path);

}  // namespace bloomnet
