// RapidCheck generators shared by the property tests: dimensions, sets and networks.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bloomnet/network.hpp"
#include "bloomnet/random.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet::prop {

// A value in [lo, hi], both included.
template <class T>
T draw(T lo, T hi) {
  return *rc::gen::inRange<T>(lo, hi + 1);
}

// A set of distinct tokens of [0, V) with at most max_size members, increasing.
inline std::vector<uint32_t> draw_set(size_t V, size_t max_size) {
  const size_t n = draw<size_t>(0, std::min(V, max_size));
  auto S = *rc::gen::container<std::vector<uint32_t>>(
      n, rc::gen::inRange<uint32_t>(0, static_cast<uint32_t>(V)));
  std::sort(S.begin(), S.end());
  S.erase(std::unique(S.begin(), S.end()), S.end());
  return S;
}

// A batch of B sets of up to max_size tokens each.
inline TokenBatch draw_batch(size_t V, size_t B, size_t max_size) {
  TokenBatch batch;
  for (size_t b = 0; b < B; ++b) batch.add(draw_set(V, max_size));
  return batch;
}

// A network with weights uniform in [-scale, scale], from a drawn seed.
inline Activation draw_activation() {
  return *rc::gen::element(Activation::kRelu, Activation::kIdentity);
}

inline Network draw_network(size_t V, size_t d, float scale = 1.0f,
                            Activation activation = Activation::kRelu) {
  Network net(V, d, activation);
  CounterRng rng(*rc::gen::arbitrary<uint64_t>(), Purpose::kInit, 0);
  auto fill = [&](std::span<float> values) {
    for (float& w : values) w = scale * static_cast<float>(2.0 * rng.unit() - 1.0);
  };
  fill(net.W_in());
  fill(net.b_in());
  fill(net.W_outT());
  fill(net.b_out());
  return net;
}

// Bit-for-bit equality of float arrays (distinguishes -0 from +0).
inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace bloomnet::prop
