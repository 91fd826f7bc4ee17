// Any bytes as a compiled filter file: either a filter that round-trips and answers a query, or a
// clean Error.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bloomnet;
  try {
    const CompiledFilter filter = decode_compiled_filter({data, size}, "fuzz");
    if (!(decode_compiled_filter(encode_compiled_filter(filter)) == filter)) __builtin_trap();
    const std::vector<uint32_t> S = {0};
    if (!(filter.positives(S) == filter.positives_by_masks(S))) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
