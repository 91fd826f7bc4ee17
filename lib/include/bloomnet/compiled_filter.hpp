// A Bloom filter compiled to one bit mask per token: token t's hash H(t) as an m-bit mask, the
// filter of S as the OR of its members' masks, and t positive exactly when mask_t & ~filter == 0.
// Beside the masks it keeps their transpose, one V-bit row per filter bit j (the tokens whose hash
// holds j): a token is negative exactly when its hash holds an unset bit, so positives(S) is the
// complement of the OR of the unset bits' rows, about m / 2 streaming ORs of V bits, which is
// faster than testing V masks (positives_by_masks, the same answer).
// The same verdicts as BloomFilter over the same family, with whole-vocabulary queries as a
// stream of word-wise ANDs; what a trained network compiles to once its hashes are read
// (analysis.hpp). Files: safetensors with one U64 tensor `hash_masks` [V, words] (bit j of token
// t in word j / 64 of row t) and metadata format = bloomnet/1, kind = compiled_filter, m.
//
// Thread safety: immutable after construction; queries may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "bloomnet/bitset.hpp"
#include "bloomnet/hash_family.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/weights_io.hpp"

namespace bloomnet {

class CompiledFilter {
 public:
  explicit CompiledFilter(const HashFamily& family, const KernelSet& kernels = simd_kernels());
  // Masks given directly, row t = words [t words, (t + 1) words); bits at or past m must be zero.
  CompiledFilter(size_t V, size_t m, std::vector<uint64_t> masks,
                 const KernelSet& kernels = simd_kernels());

  size_t V() const { return V_; }
  size_t m() const { return m_; }
  size_t words() const { return words_; }
  std::span<const uint64_t> mask(uint32_t t) const { return {masks_.data() + t * words_, words_}; }
  std::span<const uint64_t> masks() const { return masks_; }

  // The filter of S: the OR of its members' masks (m bits). Throws Error for a token outside V.
  Bitset filter_of(std::span<const uint32_t> S) const;
  // Every token the filter of S reports: S and its false positives (through the bit rows).
  Bitset positives(std::span<const uint32_t> S) const;
  // The same set, testing every token's mask against the filter's unset bits.
  Bitset positives_by_masks(std::span<const uint32_t> S) const;

  bool operator==(const CompiledFilter& other) const {
    return V_ == other.V_ && m_ == other.m_ && masks_ == other.masks_;
  }

 private:
  void build_rows();

  size_t V_, m_, words_;
  const KernelSet* kernels_;
  std::vector<uint64_t> masks_;
  std::vector<uint64_t> rows_;  // (m, ceil(V / 64)): bit t of row j set when j is in H(t)
};

std::vector<uint8_t> encode_compiled_filter(const CompiledFilter& filter,
                                            const Metadata& metadata = {});
// Throws Error naming the first problem (not a compiled filter, bad shapes, bits past m).
CompiledFilter decode_compiled_filter(std::span<const uint8_t> bytes,
                                      const std::string& source = "filter");
void save_compiled_filter(const std::filesystem::path& path, const CompiledFilter& filter,
                          const Metadata& metadata = {});
CompiledFilter load_compiled_filter(const std::filesystem::path& path);

}  // namespace bloomnet
