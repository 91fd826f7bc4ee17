#include "bloomnet/task.hpp"

#include <string>

#include "bloomnet/error.hpp"
#include "bloomnet/random.hpp"

namespace bloomnet {

void TokenBatch::add(std::span<const uint32_t> S) {
  tokens.insert(tokens.end(), S.begin(), S.end());
  offsets.push_back(static_cast<uint32_t>(tokens.size()));
}

void require_in_vocabulary(std::span<const uint32_t> tokens, size_t V) {
  for (uint32_t t : tokens) {
    if (t >= V) {
      throw Error("token " + std::to_string(t) + " is outside the vocabulary [0, " +
                  std::to_string(V) + ")");
    }
  }
}

TaskSampler::TaskSampler(const TaskConfig& config, uint64_t seed) : config_(config), seed_(seed) {
  require(config.V >= 1, "the vocabulary needs at least one token (V = 0)");
  require(config.V <= UINT32_MAX, "V = " + std::to_string(config.V) + " does not fit token ids");
  require(config.k >= 1, "sets need at least one token (k = " + std::to_string(config.k) + ")");
  require(config.k <= config.V,
          "k = " + std::to_string(config.k) +
              " distinct tokens cannot be drawn from V = " + std::to_string(config.V));
}

void TaskSampler::sample(uint64_t first, size_t B, TokenBatch& out) const {
  out.clear();
  out.tokens.resize(B * config_.k);
  for (size_t b = 0; b < B; ++b) {
    CounterRng rng(seed_, Purpose::kTaskSet, first + b);
    sample_distinct(rng, static_cast<uint32_t>(config_.V),
                    {out.tokens.data() + b * config_.k, config_.k});
    out.offsets.push_back(static_cast<uint32_t>((b + 1) * config_.k));
  }
}

}  // namespace bloomnet
