// The split-block Bloom filter of SPEC section 3: 256-bit blocks of eight 32-bit lanes; a key
// sets one bit in each lane of one block (kernels.hpp gives the hash, the block choice and the
// eight salts). One cache line holds a block, so a query costs one memory access and a handful of
// vector instructions; the price is a higher FPR than the classic filter at the same bits per key
// (block loads vary), given by its own formula:
//   FPR(n keys, b blocks) = sum_c Poisson(c; n / b) (1 - (1 - 1/32)^c)^8.
// Keys are any 64-bit values (vocabulary tokens included).
//
// Thread safety: const members (contains, positives) may run concurrently; insert needs exclusive
// access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
#include <xsimd/memory/xsimd_aligned_allocator.hpp>

#include "bloomnet/bitset.hpp"
#include "bloomnet/kernels.hpp"

namespace bloomnet {

class SplitBlockFilter {
 public:
  // `blocks` blocks (at least 1, fewer than 2^32). Throws Error otherwise or beyond memory.
  explicit SplitBlockFilter(size_t blocks, uint64_t seed = 0,
                            const KernelSet& kernels = simd_kernels());
  // Sized for n keys at `bits_per_key` (> 0), or for n keys at a target FPR in (0, 1): the
  // fewest blocks whose theoretical FPR meets it.
  static SplitBlockFilter with_bits_per_key(size_t n, double bits_per_key, uint64_t seed = 0,
                                            const KernelSet& kernels = simd_kernels());
  static SplitBlockFilter for_fpr(size_t n, double fpr, uint64_t seed = 0,
                                  const KernelSet& kernels = simd_kernels());

  size_t blocks() const { return blocks_; }
  size_t bits() const { return 256 * blocks_; }
  uint64_t seed() const { return seed_; }

  void insert(uint64_t key) {
    kernels_->filter.block_insert(data_.data(), blocks_, seed_, &key, 1);
  }
  void insert(std::span<const uint64_t> keys) {
    kernels_->filter.block_insert(data_.data(), blocks_, seed_, keys.data(), keys.size());
  }
  bool contains(uint64_t key) const {
    return kernels_->filter.block_contains(data_.data(), blocks_, seed_, key);
  }
  // out[i] = contains(keys[i]), with the memory latency of many keys overlapped; out.size() must
  // equal keys.size().
  void contains(std::span<const uint64_t> keys, std::span<uint8_t> out) const;
  // The tokens of [0, V) the filter reports.
  Bitset positives(size_t V) const;

  // The theoretical FPR with n keys inserted.
  double fpr_theory(size_t n) const;

  bool operator==(const SplitBlockFilter& other) const {
    return blocks_ == other.blocks_ && seed_ == other.seed_ && data_ == other.data_;
  }

 private:
  size_t blocks_;
  uint64_t seed_;
  const KernelSet* kernels_;
  std::vector<uint32_t, xsimd::aligned_allocator<uint32_t, 64>> data_;
};

// SPEC section 3's blocked-filter FPR for n keys in b blocks.
double split_block_fpr(size_t n, size_t blocks);

}  // namespace bloomnet
