// Builds the exact network of a Bloom filter and checks, set by set, that its positives are the
// filter's positives, as SPEC section 4 promises.
#include <bloomnet/bloom_filter.hpp>
#include <bloomnet/construct.hpp>
#include <bloomnet/metrics.hpp>
#include <cstdio>
#include <memory>

int main() {
  using namespace bloomnet;
  auto family = std::make_shared<const HashFamily>(/*V=*/5000, /*m=*/256, /*h=*/6, /*seed=*/0);
  const Network net = construct_exact(*family, /*beta=*/20.0f);
  TokenBatch sets;
  TaskSampler({.V = 5000, .k = 16}, /*seed=*/1).sample(0, 100, sets);
  const std::vector<Bitset> by_net = positive_sets(net, sets);  // P(S) of every set
  for (size_t s = 0; s < sets.size(); ++s) {
    BloomFilter filter(family);
    filter.insert(sets.set(s));
    if (!(filter.positives() == by_net[s])) return std::puts("not the filter's positives"), 1;
  }
  const Metrics m = evaluate(net, {.k = 16, .sets = 1000}, family);
  std::printf("the network's positives are the filter's in %zu of %zu sets; FPR %.2e\n",
              sets.size(), sets.size(), m.fpr_measured);
}
