#include "bloomnet/bloom_filter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "bloomnet/error.hpp"
#include "bloomnet/task.hpp"

namespace bloomnet {

BloomFilter::BloomFilter(std::shared_ptr<const HashFamily> family)
    : family_(std::move(family)), bits_(family_->m()), members_(family_->V()) {}

BloomFilter::BloomFilter(std::shared_ptr<const HashFamily> family, Bitset bits, Bitset members)
    : family_(std::move(family)), bits_(std::move(bits)), members_(std::move(members)) {
  require(bits_.size() == family_->m() && members_.size() == family_->V(),
          "a Bloom filter over m = " + std::to_string(family_->m()) + " bits and V = " +
              std::to_string(family_->V()) + " tokens cannot hold " + std::to_string(bits_.size()) +
              " bits and " + std::to_string(members_.size()) + " member flags");
  for (uint32_t t : members_.indices()) {
    require(holds_all_bits(t),
            "member token " + std::to_string(t) + " of a Bloom filter has bits that are not set");
  }
}

void BloomFilter::insert(uint32_t t) { insert(std::span<const uint32_t>(&t, 1)); }

void BloomFilter::insert(std::span<const uint32_t> S) {
  require_in_vocabulary(S, family_->V());
  for (uint32_t t : S) {
    for (uint32_t j : family_->positions(t)) bits_.set(j);
    members_.set(t);
  }
}

bool BloomFilter::contains(uint32_t t) const {
  if (t >= family_->V()) require_in_vocabulary(std::span<const uint32_t>(&t, 1), family_->V());
  return holds_all_bits(t);
}

bool BloomFilter::holds_all_bits(uint32_t t) const {
  // Every bit is tested, without an early exit: where a miss stops is random, and the branch
  // mispredictions of exiting early cost more than the few loads left (about 2x on misses).
  bool all = true;
  for (uint32_t j : family_->positions(t)) all &= bits_.test(j);
  return all;
}

void BloomFilter::unite(const BloomFilter& other) {
  require(family_ == other.family_ || *family_ == *other.family_,
          "cannot unite Bloom filters over different hash families");
  bits_ |= other.bits_;
  members_ |= other.members_;
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

double BloomFilter::fpr_measured() const {
  const size_t V = family_->V(), members = members_.count();
  if (members == V) return 0.0;
  return static_cast<double>(positives().count() - members) / static_cast<double>(V - members);
}

double BloomFilter::fpr_expected() const {
  const size_t n = members_.count();
  const double cost = static_cast<double>(n) * static_cast<double>(family_->m()) *
                      static_cast<double>(family_->h());
  if (family_->seed() && cost <= 1e8) return fpr_distinct(family_->m(), family_->h(), n).mean;
  return fpr_theory(family_->m(), family_->h(), n);
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

// law[X] = P(X of the m bits are set after n inserts of h distinct positions each), X in [0, m].
std::vector<double> set_bits_law(size_t m, size_t h, size_t n) {
  const auto md = static_cast<double>(m);
  const auto hd = static_cast<double>(h);
  const double log_all = log_choose(md, hd);
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
  return law;
}

// f(X) = C(X, h) / C(m, h): a fresh token's h positions all among the X set bits.
double false_positive_chance(size_t m, size_t h, size_t X) {
  if (X < h) return 0.0;
  return std::exp(log_choose(static_cast<double>(X), static_cast<double>(h)) -
                  log_choose(static_cast<double>(m), static_cast<double>(h)));
}

// E g(f) for f ~ Binomial(N, p), summed outwards from the mode until the terms vanish.
template <class G>
double binomial_expectation(size_t N, double p, G g) {
  if (p <= 0.0 || N == 0) return g(0.0);
  if (p >= 1.0) return g(static_cast<double>(N));
  const auto Nd = static_cast<double>(N);
  const double mode = std::min(Nd, std::floor((Nd + 1) * p));
  const double log_mode = log_choose(Nd, mode) + mode * std::log(p) + (Nd - mode) * std::log1p(-p);
  double sum = 0.0;
  for (int direction : {+1, -1}) {
    double log_term = log_mode;
    for (double f = direction > 0 ? mode : mode - 1; f >= 0 && f <= Nd; f += direction) {
      if (direction > 0 && f > mode) {
        log_term += std::log((Nd - f + 1) / f) + std::log(p) - std::log1p(-p);
      } else if (direction < 0) {
        log_term += std::log((f + 1) / (Nd - f)) - std::log(p) + std::log1p(-p);
      }
      const double term = std::exp(log_term);
      sum += term * g(f);
      if (term < 1e-18 && std::abs(f - mode) > 1) break;
    }
  }
  return sum;
}

}  // namespace

FprDistinct fpr_distinct(size_t m, size_t h, size_t n) {
  require(h >= 1 && h <= m, "fpr_distinct needs 1 <= h <= m");
  const std::vector<double> law = set_bits_law(m, h, n);
  double mean = 0.0, square = 0.0;
  for (size_t X = h; X <= m; ++X) {
    const double f = false_positive_chance(m, h, X);
    mean += law[X] * f;
    square += law[X] * f * f;
  }
  return {mean, std::max(0.0, square - mean * mean)};
}

ExactTheory exact_theory(size_t V, size_t m, size_t h, size_t k) {
  require(h >= 1 && h <= m, "exact_theory needs 1 <= h <= m");
  require(k >= 1 && k <= V, "exact_theory needs 1 <= k <= V");
  const std::vector<double> law = set_bits_law(m, h, k);
  const size_t others = V - k;
  const auto kd = static_cast<double>(k);
  ExactTheory out{};
  for (size_t X = 0; X <= m; ++X) {
    if (law[X] < 1e-300) continue;
    const double f = false_positive_chance(m, h, X);
    out.fpr += law[X] * f;
    out.topk_exact += law[X] * std::pow(1.0 - f, static_cast<double>(others));
    out.mse +=
        law[X] * binomial_expectation(others, f, [&](double fp) { return fp / (kd * (kd + fp)); });
  }
  out.false_positives_mean = static_cast<double>(others) * out.fpr;
  return out;
}

size_t best_theory_hashes(size_t V, size_t m, size_t k) {
  // eps(h) falls then rises around (m / k) ln 2; the scan stops once it has risen for a while.
  size_t best = 1;
  double best_mse = exact_theory(V, m, 1, k).mse;
  for (size_t h = 2; h <= m; ++h) {
    const double mse = exact_theory(V, m, h, k).mse;
    if (mse < best_mse) {
      best = h;
      best_mse = mse;
    } else if (h > 2 * best + 2) {
      break;
    }
  }
  return best;
}

}  // namespace bloomnet
