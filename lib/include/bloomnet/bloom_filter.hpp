// The classic bit-packed Bloom filter of SPEC section 3 over the tokens of a HashFamily: m bits in
// 64-bit words; token t is reported when every bit of H(t) is set. Beside its bits the filter
// F(S) keeps S, the tokens inserted (V bits, small beside m in this study): its measured FPR
// |F(S) \ S| / (V - |S|) is then exact, every token of the vocabulary counted.
//
// Thread safety: const members may be called concurrently; insert/unite/clear need exclusive
// access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "bloomnet/bitset.hpp"
#include "bloomnet/hash_family.hpp"

namespace bloomnet {

class BloomFilter {
 public:
  explicit BloomFilter(std::shared_ptr<const HashFamily> family);
  // A filter with these bits (m of them) and members (V): what a filter file stores. Throws Error
  // for other sizes or a member whose bits are not all set.
  BloomFilter(std::shared_ptr<const HashFamily> family, Bitset bits, Bitset members);

  const HashFamily& family() const { return *family_; }
  const Bitset& bits() const { return bits_; }
  // S: the tokens inserted.
  const Bitset& members() const { return members_; }

  void insert(uint32_t t);
  void insert(std::span<const uint32_t> S);
  bool contains(uint32_t t) const;
  // Bitwise union with a filter over an equal family: afterwards this is F(A u B).
  void unite(const BloomFilter& other);
  void clear() {
    bits_.reset();
    members_.reset();
  }

  // Number of set bits X.
  size_t popcount() const { return bits_.count(); }
  // n^ = -(m/h) ln(1 - X/m); infinite once every bit is set.
  double estimate_cardinality() const;
  // All tokens of [0, V) the filter reports: S and its false positives.
  Bitset positives() const;
  // |F(S) \ S| / (V - |S|), exact; 0 when S is the whole vocabulary.
  double fpr_measured() const;
  // The expected FPR of a filter of |S| tokens over this family's m and h: fpr_distinct's for a
  // seeded family (h distinct positions per token) while its O(|S| m h) cost stays below 1e8,
  // else the classic formula (the two differ by O(1/m) relatively); the classic formula with the
  // largest |H(t)| for an explicit family.
  double fpr_expected() const;

 private:
  // contains() without the vocabulary check, for loops over [0, V).
  bool holds_all_bits(uint32_t t) const;

  std::shared_ptr<const HashFamily> family_;
  Bitset bits_;
  Bitset members_;
};

// SPEC section 3's FPR of a filter holding n keys, positions independent and uniform:
// (1 - (1 - 1/m)^(h n))^h.
double fpr_theory(size_t m, size_t h, size_t n);

// The FPR of our seeded families, whose h positions per token are distinct. Inserting a token that
// sets a of its h positions anew, with X bits set already, is hypergeometric:
// P(a) = C(m - X, a) C(X, h - a) / C(m, h). Running that chain over n inserts gives the law of X,
// and a fresh token is a false positive with probability f(X) = C(X, h) / C(m, h).
// mean = E f(X), the FPR; variance = Var f(X), the spread of the FPR between filters, which the
// measured FPR of many sets must allow for beside the binomial noise. Cost O(n m h).
struct FprDistinct {
  double mean;
  double variance;
};
FprDistinct fpr_distinct(size_t m, size_t h, size_t n);

// The exact construction of SPEC section 4 with beta -> infinity, on sets of k distinct tokens of
// V, for a seeded family (h distinct positions per token, independent between tokens). Given the
// filter's X set bits each of the V - k other tokens is a false positive independently with
// chance f(X), so the false positives f of a set are Binomial(V - k, f(X)); with the law of X
// above:
//   mse = E f / (k (k + f))   (p uniform on the k + f positives)
//   topk_exact = E (1 - f(X))^(V - k),  false_positives_mean = (V - k) fpr,  fpr = E f(X).
struct ExactTheory {
  double mse, topk_exact, false_positives_mean, fpr;
};
ExactTheory exact_theory(size_t V, size_t m, size_t h, size_t k);
// The h in [1, m] of least theoretical mse.
size_t best_theory_hashes(size_t V, size_t m, size_t k);

}  // namespace bloomnet
