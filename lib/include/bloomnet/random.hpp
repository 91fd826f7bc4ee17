// Seeded, counter-based randomness. A stream is named by (seed, purpose, index), so the numbers
// drawn for token t or for training set i depend on nothing else: not on the thread that draws
// them, not on what was drawn before, not on the platform (no std:: distributions, whose algorithms
// vary); normal() alone goes through libm (log, cos): the same on every machine with the same libm.
//
// Thread safety: a CounterRng is a value with its own state, one per thread; free functions are
// pure.
#pragma once

#include <cstdint>
#include <span>

namespace bloomnet {

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's step and finalizer: a bijective 64-bit mixer.
constexpr uint64_t mix64(uint64_t x) {
  x += kGoldenGamma;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// What a stream is for. Streams of different purposes never coincide, so the hashes of a
// construction and the sets of an evaluation stay independent even when both use seed 0, and
// training sets (kTrainSet) are never the held-out sets (kTaskSet) of the same seed.
enum class Purpose : uint64_t {
  kHash = 1,
  kTaskSet = 2,
  kInit = 3,
  kTrainSet = 4,
  kEmbedding = 5,
  kRandomFamily = 6,  // the random filter a learned family is compared with
  kBootstrap = 7,     // resampling for intervals
  kProbeKey = 8,      // keys that query a filter's FPR
};

// A SplitMix64 sequence started at a state derived from (seed, purpose, stream).
class CounterRng {
 public:
  CounterRng(uint64_t seed, Purpose purpose, uint64_t stream)
      : state_(mix64(seed ^ mix64(static_cast<uint64_t>(purpose) ^ mix64(stream)))) {}

  uint64_t next() {
    const uint64_t x = state_;
    state_ += kGoldenGamma;
    return mix64(x);
  }

  // Uniform in [0, n), n >= 1, without bias (Lemire's multiply-shift with rejection).
  uint64_t below(uint64_t n);

  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Standard normal (Box-Muller from two unit() draws, one output kept).
  double normal();

 private:
  uint64_t state_;
};

// Draws out.size() distinct values from [0, n), returned in increasing order (Floyd's algorithm:
// exactly out.size() draws). Requires out.size() <= n.
void sample_distinct(CounterRng& rng, uint32_t n, std::span<uint32_t> out);

}  // namespace bloomnet
