#include "bloomnet/parse.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "bloomnet/error.hpp"

namespace bloomnet {

uint64_t parse_count(std::string_view text, std::string_view what, uint64_t max) {
  const std::string quoted = std::string(what) + " = '" + std::string(text) + "'";
  uint64_t value = 0;
  // from_chars takes neither a sign nor blanks; it would stop at the first non-digit, so the
  // whole text must be consumed.
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  require(!text.empty() && error != std::errc::invalid_argument && end == text.data() + text.size(),
          quoted + " is not a non-negative integer");
  require(error != std::errc::result_out_of_range && value <= max,
          quoted + " is larger than " + std::to_string(max));
  return value;
}

double parse_number(std::string_view text, std::string_view what) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  require(!text.empty() && error == std::errc() && end == text.data() + text.size() &&
              std::isfinite(value),
          std::string(what) + " = '" + std::string(text) + "' is not a finite number");
  return value;
}

}  // namespace bloomnet
