#include "bloomnet/random.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace bloomnet {
namespace {
__extension__ using Uint128 =
    unsigned __int128;  // GCC/Clang builtin; __extension__ keeps -Wpedantic quiet
}  // namespace

double CounterRng::normal() {
  const double radius = std::sqrt(-2.0 * std::log1p(-unit()));  // 1 - unit() lies in (0, 1]
  return radius * std::cos(2.0 * std::numbers::pi * unit());
}

uint64_t CounterRng::below(uint64_t n) {
  Uint128 product = static_cast<Uint128>(next()) * n;
  auto low = static_cast<uint64_t>(product);
  if (low < n) {
    const uint64_t threshold = -n % n;  // 2^64 mod n: the biased remainder to reject
    while (low < threshold) {
      product = static_cast<Uint128>(next()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

void sample_distinct(CounterRng& rng, uint32_t n, std::span<uint32_t> out) {
  const auto count = static_cast<uint32_t>(out.size());
  // Floyd: for j in [n - count, n), take r uniform in [0, j]; if r is taken already, take j (which
  // cannot be). Membership by linear scan while the set is small, else by a bitmap of n bits.
  const bool use_bitmap = count > 16;
  std::vector<uint64_t> taken(use_bitmap ? (static_cast<size_t>(n) + 63) / 64 : 0);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t j = n - count + i;
    auto r = static_cast<uint32_t>(rng.below(static_cast<uint64_t>(j) + 1));
    bool seen;
    if (use_bitmap) {
      seen = (taken[r / 64] >> (r % 64)) & 1;
    } else {
      seen = std::find(out.begin(), out.begin() + i, r) != out.begin() + i;
    }
    if (seen) r = j;
    out[i] = r;
    if (use_bitmap) taken[r / 64] |= uint64_t{1} << (r % 64);
  }
  std::sort(out.begin(), out.end());
}

}  // namespace bloomnet
