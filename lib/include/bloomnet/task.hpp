// The task of SPEC section 1: sets S of k distinct tokens of [0, V), the input x = 1_S and the
// target q = uniform on S. Sets are index lists, never dense V-vectors. Tokens are uniform, or
// Zipf(s) (token t drawn with probability proportional to (t + 1)^-s, without replacement);
// |S| is k, or uniform in [k, k_max].
//
// Set i of a sampler depends only on (seed, i): batch contents do not depend on the thread count
// or on which sets were drawn before, and a run can resume at any set.
//
// Thread safety: TaskSampler is immutable; sample() may run concurrently into distinct batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "bloomnet/random.hpp"

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
  size_t k = 0;       // |S|, or its least value when k_max > k
  size_t k_max = 0;   // 0: every set has k tokens
  double zipf = 0.0;  // 0: uniform tokens; s > 0: Zipf(s)

  size_t largest_set() const { return k_max > k ? k_max : k; }
};

class TaskSampler {
 public:
  // Throws Error unless 1 <= k <= V, k_max is 0 or in [k, V], and zipf is finite and >= 0.
  // Streams of `purpose` (kTaskSet for held-out sets, kTrainSet for training).
  TaskSampler(const TaskConfig& config, uint64_t seed, Purpose purpose = Purpose::kTaskSet);

  const TaskConfig& config() const { return config_; }

  // Replaces out with sets first, first + 1, ..., first + B - 1. A batch of 64 sets or more is
  // drawn on the OpenMP threads (the same sets for any thread count).
  void sample(uint64_t first, size_t B, TokenBatch& out) const;

 private:
  // Zipf tokens one at a time, each from the distribution left once the tokens drawn so far are
  // removed (exact sampling without replacement).
  void sample_zipf(CounterRng& rng, std::span<uint32_t> out) const;

  TaskConfig config_;
  uint64_t seed_;
  Purpose purpose_;
  std::shared_ptr<const std::vector<double>> zipf_cdf_;  // cdf[t] = weight of tokens < t
};

}  // namespace bloomnet
