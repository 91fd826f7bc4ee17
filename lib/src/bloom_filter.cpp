#include "bloomnet/bloom_filter.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "bloomnet/error.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

BloomFilter::BloomFilter(std::shared_ptr<const HashFamily> family)
    : family_(std::move(family)), bits_(family_->m()) {}

void BloomFilter::insert(uint32_t t) { insert(std::span<const uint32_t>(&t, 1)); }

void BloomFilter::insert(std::span<const uint32_t> S) {
  require_in_vocabulary(S, family_->V());
  for (uint32_t t : S) {
    for (uint32_t j : family_->positions(t)) bits_.set(j);
  }
}

bool BloomFilter::contains(uint32_t t) const {
  if (t >= family_->V()) require_in_vocabulary(std::span<const uint32_t>(&t, 1), family_->V());
  return holds_all_bits(t);
}

bool BloomFilter::holds_all_bits(uint32_t t) const {
  for (uint32_t j : family_->positions(t)) {
    if (!bits_.test(j)) return false;
  }
  return true;
}

void BloomFilter::unite(const BloomFilter& other) {
  require(family_ == other.family_ || *family_ == *other.family_,
          "cannot unite Bloom filters over different hash families");
  bits_ |= other.bits_;
}

double BloomFilter::estimate_cardinality() const {
  const auto m = static_cast<double>(family_->m());
  const auto X = static_cast<double>(popcount());
  if (X >= m) return std::numeric_limits<double>::infinity();
  return -(m / static_cast<double>(family_->h())) * std::log1p(-X / m);
}

Bitset BloomFilter::positives() const {
  const size_t V = family_->V();
  Bitset out(V);
  for (size_t t = 0; t < V; ++t) {
    if (holds_all_bits(static_cast<uint32_t>(t))) out.set(t);
  }
  return out;
}

double fpr_theory(size_t m, size_t h, size_t n) {
  const double unset =
      std::pow(1.0 - 1.0 / static_cast<double>(m), static_cast<double>(h) * static_cast<double>(n));
  return std::pow(1.0 - unset, static_cast<double>(h));
}

namespace {

double log_choose(double n, double r) {
  return std::lgamma(n + 1) - std::lgamma(r + 1) - std::lgamma(n - r + 1);
}

}  // namespace

FprDistinct fpr_distinct(size_t m, size_t h, size_t n) {
  require(h >= 1 && h <= m, "fpr_distinct needs 1 <= h <= m");
  const auto md = static_cast<double>(m);
  const auto hd = static_cast<double>(h);
  const double log_all = log_choose(md, hd);
  // law[X] = P(X bits set), X in [0, m].
  std::vector<double> law(m + 1, 0.0), next(m + 1);
  law[0] = 1.0;
  for (size_t insert = 0; insert < n; ++insert) {
    std::fill(next.begin(), next.end(), 0.0);
    for (size_t X = 0; X <= m; ++X) {
      if (law[X] == 0.0) continue;
      const auto Xd = static_cast<double>(X);
      for (size_t a = 0; a <= h && X + a <= m; ++a) {
        const auto ad = static_cast<double>(a);
        if (h - a > X) continue;  // needs h - a positions among the X set ones
        next[X + a] +=
            law[X] * std::exp(log_choose(md - Xd, ad) + log_choose(Xd, hd - ad) - log_all);
      }
    }
    law.swap(next);
  }
  double mean = 0.0, square = 0.0;
  for (size_t X = h; X <= m; ++X) {
    const double f = std::exp(log_choose(static_cast<double>(X), hd) - log_all);
    mean += law[X] * f;
    square += law[X] * f * f;
  }
  return {mean, std::max(0.0, square - mean * mean)};
}

}  // namespace bloomnet
