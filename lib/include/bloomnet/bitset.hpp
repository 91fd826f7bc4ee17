// A fixed-size set of bits packed in 64-bit words: the storage of the Bloom filter and the type of
// positive sets over the vocabulary. Bits past size() in the last word are always zero, so
// word-wise equality, union and popcount need no masking.
//
// Thread safety: const members may be called concurrently; anything else needs exclusive access.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace bloomnet {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(size_t size) : size_(size), words_((size + 63) / 64, 0) {}
  // Bits given as (size + 63) / 64 words; bits past size are dropped.
  Bitset(size_t size, std::vector<uint64_t> words) : size_(size), words_(std::move(words)) {
    words_.resize((size + 63) / 64, 0);
    if (size % 64 != 0) words_.back() &= ~(~uint64_t{0} << (size % 64));
  }

  size_t size() const { return size_; }
  std::span<const uint64_t> words() const { return words_; }

  bool test(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }
  void set(size_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  void reset() { std::fill(words_.begin(), words_.end(), 0); }

  size_t count() const {
    size_t total = 0;
    for (uint64_t w : words_) total += static_cast<size_t>(std::popcount(w));
    return total;
  }

  // Bitwise or; sizes must be equal (checked by the callers that can receive foreign sets).
  Bitset& operator|=(const Bitset& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
    return *this;
  }

  bool operator==(const Bitset& other) const = default;

  // The indices of the set bits, increasing.
  std::vector<uint32_t> indices() const;

 private:
  size_t size_ = 0;
  std::vector<uint64_t> words_;
};

inline std::vector<uint32_t> Bitset::indices() const {
  std::vector<uint32_t> out;
  for (size_t w = 0; w < words_.size(); ++w) {
    for (uint64_t bits = words_[w]; bits != 0; bits &= bits - 1) {
      out.push_back(static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits))));
    }
  }
  return out;
}

}  // namespace bloomnet
