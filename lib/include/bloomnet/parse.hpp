// Numbers read from text that a person or a file wrote: the one parser of every count and every
// real number bloomnet accepts (command-line options, CSV fields, file metadata), so that a text
// means the same, or is refused the same way, wherever it appears.
//
//   parse_count   plain decimal digits: no sign, no blanks, no exponent, no base prefix ("010" is
//                 ten), at most `max`;
//   parse_number  a decimal or scientific real ("0.01", "1e-3", "-2"), finite.
//
// Both throw Error "<what> = '<text>' is not ..." naming the text and what it was meant to be.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace bloomnet {

uint64_t parse_count(std::string_view text, std::string_view what, uint64_t max = UINT64_MAX);

double parse_number(std::string_view text, std::string_view what);

}  // namespace bloomnet
