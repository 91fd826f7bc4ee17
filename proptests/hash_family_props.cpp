
#include "bloomnet/error.hpp"
#include "bloomnet/hash_family.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

RC_GTEST_PROP(HashFamily, positions_are_h_distinct_increasing_and_in_range, ()) {
  const size_t V = draw<size_t>(1, 2000), m = draw<size_t>(1, 1024);
  const size_t h = draw<size_t>(1, std::min<size_t>(m, 32));
  const HashFamily family(V, m, h, *rc::gen::arbitrary<uint64_t>());
  for (uint32_t t = 0; t < V; ++t) {
    const auto H = family.positions(t);
    RC_ASSERT(H.size() == h);
    RC_ASSERT(std::adjacent_find(H.begin(), H.end(), std::greater_equal<>()) == H.end());
    RC_ASSERT(H.back() < m);
  }
}

RC_GTEST_PROP(HashFamily, same_seed_gives_same_family_and_tokens_do_not_depend_on_V, ()) {
  const size_t V = draw<size_t>(1, 1000), m = draw<size_t>(1, 512);
  const size_t h = draw<size_t>(1, std::min<size_t>(m, 16));
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  const HashFamily a(V, m, h, seed), b(V, m, h, seed);
  RC_ASSERT(a == b);
  const size_t larger = V + draw<size_t>(1, 100);
  const HashFamily c(larger, m, h, seed);
  for (uint32_t t = 0; t < V; ++t) {
    RC_ASSERT(std::ranges::equal(a.positions(t), c.positions(t)));
  }
}

TEST(HashFamily, known_positions_pin_the_algorithm_across_machines) {
  // Recorded once; a change here changes every constructed net and weights file.
  const HashFamily family(3, 64, 4, 42);
  std::vector<std::vector<uint32_t>> got;
  for (uint32_t t = 0; t < 3; ++t) {
    got.emplace_back(family.positions(t).begin(), family.positions(t).end());
  }
  EXPECT_EQ(
      got, (std::vector<std::vector<uint32_t>>{{5, 14, 15, 16}, {3, 11, 44, 58}, {9, 17, 47, 48}}));
}

TEST(HashFamily, refuses_impossible_dimensions) {
  EXPECT_THROW(HashFamily(0, 8, 2, 0), Error);
  EXPECT_THROW(HashFamily(8, 0, 1, 0), Error);
  EXPECT_THROW(HashFamily(8, 8, 0, 0), Error);
  EXPECT_THROW(HashFamily(8, 4, 5, 0), Error);
  EXPECT_THROW(HashFamily::from_positions(4, {{1, 1}}), Error);
  EXPECT_THROW(HashFamily::from_positions(4, {{4}}), Error);
}

}  // namespace
}  // namespace bloomnet
