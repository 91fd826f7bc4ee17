#include "bloomnet/hash_family.hpp"

#include <algorithm>
#include <string>

#include "bloomnet/error.hpp"
#include "bloomnet/random.hpp"
#include "bloomnet/resources.hpp"

namespace bloomnet {

HashFamily::HashFamily(size_t V, size_t m, size_t h, uint64_t seed) : m_(m), h_(h), seed_(seed) {
  require(V >= 1, "the vocabulary needs at least one token (V = 0)");
  require(m >= 1, "the filter needs at least one bit (m = 0)");
  require(h >= 1, "each token needs at least one hash position (h = 0)");
  require(h <= m, "h = " + std::to_string(h) + " hash positions cannot be distinct in m = " +
                      std::to_string(m) + " bits (need h <= m)");
  require_memory(static_cast<double>(V) * static_cast<double>(h) * sizeof(uint32_t),
                 "a hash family with V = " + std::to_string(V) + " and h = " + std::to_string(h));
  require(m <= UINT32_MAX && V <= UINT32_MAX, "V and m must fit in 32 bits");
  positions_.resize(V * h);
  offsets_.resize(V + 1);
  for (size_t t = 0; t < V; ++t) {
    CounterRng rng(seed, Purpose::kHash, t);
    sample_distinct(rng, static_cast<uint32_t>(m), {positions_.data() + t * h, h});
    offsets_[t + 1] = (t + 1) * h;
  }
}

HashFamily HashFamily::from_positions(size_t m,
                                      const std::vector<std::vector<uint32_t>>& positions) {
  require(!positions.empty(), "the vocabulary needs at least one token (V = 0)");
  require(m >= 1 && m <= UINT32_MAX, "the filter needs between 1 and 2^32 - 1 bits");
  HashFamily family;
  family.m_ = m;
  family.offsets_.reserve(positions.size() + 1);
  family.offsets_.push_back(0);
  for (size_t t = 0; t < positions.size(); ++t) {
    std::vector<uint32_t> sorted = positions[t];
    std::sort(sorted.begin(), sorted.end());
    require(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
            "H(" + std::to_string(t) + ") repeats a position");
    require(sorted.empty() || sorted.back() < m,
            "H(" + std::to_string(t) + ") has a position outside [0, " + std::to_string(m) + ")");
    family.h_ = std::max(family.h_, sorted.size());
    family.positions_.insert(family.positions_.end(), sorted.begin(), sorted.end());
    family.offsets_.push_back(family.positions_.size());
  }
  return family;
}

}  // namespace bloomnet
