// The split-block Bloom filter of SPEC section 3: 256-bit blocks of eight 32-bit lanes; a key
// sets one bit in each lane of one block (kernels.hpp gives the hash, the block choice and the
// eight salts). One cache line holds a block, so a query costs one memory access and a handful of
// vector instructions; the price is a higher FPR than the classic filter at the same bits per key
// (block loads vary), given by its own formula:
//   FPR(n keys, b blocks) = sum_c Poisson(c; n / b) (1 - (1 - 1/32)^c)^8.
// Keys are any 64-bit values (vocabulary tokens included).
//
// SplitBlockFilterView answers queries over lanes held elsewhere (a filter's own, or a file's
// mapped read-only: filter_files.hpp); SplitBlockFilter owns its lanes, inserts, and answers
// through a view of them, so both give the same answers by construction.
//
// Thread safety: const members (contains, positives, fpr_measured) may run concurrently; insert
// and unite need exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bloomnet/bitset.hpp"
#include "bloomnet/huge_page_allocator.hpp"
#include "bloomnet/kernels.hpp"
#include "bloomnet/statistics.hpp"

namespace bloomnet {

class SplitBlockFilterView {
 public:
  // `words` holds 8 lanes per block (4-byte aligned) and outlives the view.
  SplitBlockFilterView(const uint32_t* words, size_t blocks, uint64_t seed, uint64_t keys_inserted,
                       const KernelSet& kernels)
      : SplitBlockFilterView(words, blocks, seed, keys_inserted, kernels,
                             kernels.filter.block_contains) {}

  size_t blocks() const { return blocks_; }
  uint64_t seed() const { return seed_; }
  uint64_t keys_inserted() const { return keys_inserted_; }
  std::span<const uint32_t> words() const { return {words_, 8 * blocks_}; }
  const KernelSet& kernels() const { return *kernels_; }

  bool contains(uint64_t key) const { return contains_key_(words_, blocks_, seed_, key); }
  // out[i] = contains(keys[i]), with the memory latency of many keys overlapped, split among the
  // OpenMP threads in contiguous runs when there are enough keys; out.size() must equal
  // keys.size().
  void contains(std::span<const uint64_t> keys, std::span<uint8_t> out) const;
  // The tokens of [0, V) the filter reports.
  Bitset positives(size_t V) const;
  // The theoretical FPR with n keys inserted.
  double fpr_theory(size_t n) const;
  // The FPR measured on `probes` keys drawn from the counter stream (seed, kProbeKey), which no
  // one inserts: the share reported, with its 95% interval (rate_interval).
  Measured fpr_measured(size_t probes, uint64_t seed) const;

 private:
  friend class SplitBlockFilter;
  using ContainsKey = decltype(FilterKernels::block_contains);
  SplitBlockFilterView(const uint32_t* words, size_t blocks, uint64_t seed, uint64_t keys_inserted,
                       const KernelSet& kernels, ContainsKey contains_key)
      : words_(words),
        blocks_(blocks),
        seed_(seed),
        keys_inserted_(keys_inserted),
        kernels_(&kernels),
        contains_key_(contains_key) {}

  const uint32_t* words_;
  size_t blocks_;
  uint64_t seed_;
  uint64_t keys_inserted_;
  const KernelSet* kernels_;
  // The one-key test's kernel held directly (a filter holds its own copy): a caller's loop of
  // single queries then calls through one pointer, not through the kernel table's entry behind
  // another (bloom_bench, one key at a time: 0.05-0.1 ns of the 1.5 ns a query takes at 10^5 keys
  // and of the 2.1-2.2 ns at 10^6, measured back to back).
  ContainsKey contains_key_;
};

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

  // A filter whose lanes are `words` (8 per block, as words() gives them), holding
  // `keys_inserted` keys: what a filter file stores. Throws Error for a word count that is not 8
  // blocks' worth.
  static SplitBlockFilter from_words(size_t blocks, uint64_t seed, std::span<const uint32_t> words,
                                     uint64_t keys_inserted,
                                     const KernelSet& kernels = simd_kernels());

  size_t blocks() const { return blocks_; }
  size_t bits() const { return 256 * blocks_; }
  uint64_t seed() const { return seed_; }
  // The lanes, block after block (8 per block; 64-byte aligned).
  std::span<const uint32_t> words() const { return data_; }
  // Keys inserted so far, repeats included: the n of fpr_theory.
  uint64_t keys_inserted() const { return keys_inserted_; }

  void insert(uint64_t key) {
    kernels_->filter.block_insert(data_.data(), blocks_, seed_, &key, 1, 0, blocks_);
    ++keys_inserted_;
  }
  // Many keys into a filter past the L3 (32 MiB): split among the OpenMP threads by block range
  // (each thread reads every key and inserts those of its blocks), so the bits never depend on
  // the thread count.
  void insert(std::span<const uint64_t> keys);
  // Bitwise union with a filter of the same blocks and seed: afterwards this is the filter of
  // both key sets. Throws Error for another shape or seed.
  void unite(const SplitBlockFilter& other);
  // The queries, as SplitBlockFilterView answers them.
  SplitBlockFilterView view() const {
    return {data_.data(), blocks_, seed_, keys_inserted_, *kernels_, contains_key_};
  }
  bool contains(uint64_t key) const { return view().contains(key); }
  void contains(std::span<const uint64_t> keys, std::span<uint8_t> out) const {
    view().contains(keys, out);
  }
  Bitset positives(size_t V) const { return view().positives(V); }
  double fpr_theory(size_t n) const { return view().fpr_theory(n); }
  Measured fpr_measured(size_t probes, uint64_t seed) const {
    return view().fpr_measured(probes, seed);
  }

  // Equal bits, blocks and seed (the count of keys inserted aside: the same set of bits answers
  // alike however it was reached).
  bool operator==(const SplitBlockFilter& other) const {
    return blocks_ == other.blocks_ && seed_ == other.seed_ && data_ == other.data_;
  }

 private:
  size_t blocks_;
  uint64_t seed_;
  uint64_t keys_inserted_ = 0;
  const KernelSet* kernels_;
  SplitBlockFilterView::ContainsKey contains_key_;  // kernels_->filter.block_contains, as above
  std::vector<uint32_t, HugePageAllocator<uint32_t>> data_;  // 64-byte aligned
};

// SPEC section 3's blocked-filter FPR for n keys in b blocks.
double split_block_fpr(size_t n, size_t blocks);

}  // namespace bloomnet
