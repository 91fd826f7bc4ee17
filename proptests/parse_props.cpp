// The one parser of counts and numbers (parse.hpp) and the name tables of the enums
// (enum_names.hpp): what they accept, what they refuse, and that every name reads back as itself.
#include <cmath>
#include <cstdio>
#include <string>

#include "bloomnet/construct.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/trainer.hpp"
#include "bloomnet/verdicts.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

// Any count printed in decimal, with or without leading zeros, reads back as itself.
RC_GTEST_PROP(Parse, counts_read_back_from_their_digits, (uint64_t value)) {
  const std::string digits = std::to_string(value);
  RC_ASSERT(parse_count(digits, "x") == value);
  RC_ASSERT(parse_count(std::string(prop::draw<size_t>(0, 3), '0') + digits, "x") == value);
}

// A count is digits only: any sign, blank, point, exponent, prefix or other character added to
// the digits makes the text an Error, as does a value above the bound.
RC_GTEST_PROP(Parse, counts_refuse_anything_but_digits_within_the_bound, (uint32_t value)) {
  const std::string digits = std::to_string(value);
  const std::string extra = *rc::gen::element<std::string>("-", "+", " ", ".", "e", "x", ",", "\n");
  const size_t at = prop::draw<size_t>(0, digits.size());
  const std::string text = digits.substr(0, at) + extra + digits.substr(at);
  RC_ASSERT_THROWS_AS(parse_count(text, "x"), Error);
  if (value > 0) RC_ASSERT_THROWS_AS(parse_count(digits, "x", value - 1), Error);
  RC_ASSERT(parse_count(digits, "x", value) == value);
}

TEST(Parse, counts_and_numbers_name_what_they_read) {
  EXPECT_EQ(parse_count("010", "--steps"), 10u);  // decimal, never octal
  EXPECT_THROW(parse_count("", "x"), Error);
  EXPECT_THROW(parse_count("18446744073709551616", "x"), Error);  // 2^64
  EXPECT_EQ(parse_count("18446744073709551615", "x"), UINT64_MAX);
  try {
    parse_count("-2", "--hashes");
    FAIL() << "a negative count was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--hashes = '-2' is not a non-negative integer");
  }
  EXPECT_EQ(parse_number("1e-3", "x"), 1e-3);
  EXPECT_EQ(parse_number("-2", "x"), -2.0);
  for (const char* bad : {"", "nan", "inf", "-inf", "1e400", "0x10", "1,5", " 1", "1 ", "+1"}) {
    EXPECT_THROW(parse_number(bad, "x"), Error) << bad;
  }
}

// Any finite double printed with 17 digits reads back as itself.
RC_GTEST_PROP(Parse, numbers_read_back_from_their_digits, (double value)) {
  RC_PRE(std::isfinite(value));
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  RC_ASSERT(parse_number(text, "x") == value);
}

template <NamedEnum E>
void expect_names_read_back() {
  std::vector<std::string> names = enum_names<E>();
  ASSERT_FALSE(names.empty());
  for (const auto& [value, name] : EnumNames<E>::kNames) {
    EXPECT_STREQ(to_string(value), name);
    EXPECT_EQ(from_string<E>(name), value);
  }
  // Unknown names are refused, naming what they should have been and every known name.
  try {
    from_string<E>("no-such-name");
    ADD_FAILURE() << "accepted an unknown " << EnumNames<E>::kWhat;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(std::string("unknown ") + EnumNames<E>::kWhat), std::string::npos);
    for (const std::string& name : names) EXPECT_NE(message.find(name), std::string::npos);
  }
  // Names are distinct.
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
}

TEST(EnumNames, every_name_reads_back_as_its_value_and_unknown_names_list_the_known_ones) {
  expect_names_read_back<Activation>();
  expect_names_read_back<LossKind>();
  expect_names_read_back<LossSchedule>();
  expect_names_read_back<OptimizerKind>();
  expect_names_read_back<Schedule>();
  expect_names_read_back<ExactForm>();
  expect_names_read_back<SweepMethod>();
  expect_names_read_back<Law>();
  expect_names_read_back<Answer>();
}

}  // namespace
}  // namespace bloomnet
