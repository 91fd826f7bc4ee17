// The hash family of a Bloom filter over a vocabulary (SPEC section 3): for each token t in [0, V),
// a set H(t) of distinct bit positions in [0, m). Seeded families give every token exactly h
// positions, drawn from the counter stream (seed, t): H(t) depends on (seed, m, h, t) only, so it
// is the same on every machine and for every V. Families read off a trained network (SPEC
// section 5) are built from explicit position lists, whose sizes may differ per token.
//
// Thread safety: immutable after construction; share freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bloomnet {

class HashFamily {
 public:
  // Seeded family: |H(t)| = h for every token. Requires V >= 1, m >= 1, 1 <= h <= m.
  HashFamily(size_t V, size_t m, size_t h, uint64_t seed);

  // Explicit family: positions[t] is H(t); every position must lie in [0, m), without repeats.
  static HashFamily from_positions(size_t m, const std::vector<std::vector<uint32_t>>& positions);

  size_t V() const { return offsets_.size() - 1; }
  size_t m() const { return m_; }
  // The largest |H(t)|; equal to every |H(t)| for seeded families.
  size_t h() const { return h_; }
  // The seed of a seeded family; none for explicit ones.
  std::optional<uint64_t> seed() const { return seed_; }

  // H(t), increasing.
  std::span<const uint32_t> positions(uint32_t t) const {
    return {positions_.data() + offsets_[t], positions_.data() + offsets_[t + 1]};
  }

  // True when both families give every token the same positions over the same m, however they
  // were made (a seeded family equals the explicit one read back from its exact network).
  bool operator==(const HashFamily& other) const {
    return m_ == other.m_ && offsets_ == other.offsets_ && positions_ == other.positions_;
  }

 private:
  HashFamily() = default;

  size_t m_ = 0;
  size_t h_ = 0;
  std::optional<uint64_t> seed_;
  std::vector<uint32_t> positions_;  // H(0), H(1), ... concatenated
  std::vector<size_t> offsets_;      // H(t) = positions_[offsets_[t], offsets_[t+1])
};

}  // namespace bloomnet
