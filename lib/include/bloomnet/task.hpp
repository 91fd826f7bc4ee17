// The task of SPEC section 1: sets S of k distinct tokens of [0, V), the input x = 1_S and the
// target q = uniform on S. Sets are index lists, never dense V-vectors.
//
// Set i of a sampler depends only on (seed, i): batch contents do not depend on the thread count
// or on which sets were drawn before, and a run can resume at any set.
//
// Thread safety: TaskSampler is immutable; sample() may run concurrently into distinct batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace bloomnet {

// B sets in CSR form: set b is tokens[offsets[b], offsets[b + 1]), increasing.
struct TokenBatch {
  std::vector<uint32_t> tokens;
  std::vector<uint32_t> offsets{0};

  size_t size() const { return offsets.size() - 1; }
  std::span<const uint32_t> set(size_t b) const {
    return {tokens.data() + offsets[b], tokens.data() + offsets[b + 1]};
  }
  void clear() {
    tokens.clear();
    offsets.assign(1, 0);
  }
  void add(std::span<const uint32_t> S);
};

// Throws Error naming the first token outside [0, V). Builds no message unless one is out: it
// guards hot loops (forward, filter inserts).
void require_in_vocabulary(std::span<const uint32_t> tokens, size_t V);

struct TaskConfig {
  size_t V = 0;
  size_t k = 0;  // |S|
};

class TaskSampler {
 public:
  // Throws Error unless 1 <= k <= V.
  TaskSampler(const TaskConfig& config, uint64_t seed);

  const TaskConfig& config() const { return config_; }

  // Replaces out with sets first, first + 1, ..., first + B - 1.
  void sample(uint64_t first, size_t B, TokenBatch& out) const;

 private:
  TaskConfig config_;
  uint64_t seed_;
};

}  // namespace bloomnet
