// Any bytes as a filter file, read as each of the three kinds (a file names its kind, so at most
// one reading gets past the header), and as a split-block filter read in place (the path a
// mapped file takes): either a filter that round-trips and answers a query, or a clean Error.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bloomnet/compiled_filter.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/filter_files.hpp"

namespace {

template <class Read>
void read_or_refuse(Read read) {
  try {
    read();
  } catch (const bloomnet::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bloomnet;
  const std::span<const uint8_t> bytes(data, size);
  read_or_refuse([&] {
    const CompiledFilter filter = decode_compiled_filter(bytes, "fuzz");
    if (!(decode_compiled_filter(encode_compiled_filter(filter)) == filter)) __builtin_trap();
    const std::vector<uint32_t> S = {0};
    if (!(filter.positives(S) == filter.positives_by_masks(S))) __builtin_trap();
  });
  read_or_refuse([&] {
    const SplitBlockFilter filter = decode_split_block_filter(bytes, "fuzz");
    const SplitBlockFilter back = decode_split_block_filter(encode_split_block_filter(filter));
    if (!(back == filter) || back.keys_inserted() != filter.keys_inserted()) __builtin_trap();
    const uint64_t key = 42;
    uint8_t found = 0;
    filter.contains(std::span(&key, 1), std::span(&found, 1));
    if (static_cast<bool>(found) != filter.contains(key)) __builtin_trap();
    // The mapped path reads the lanes in place: the same checks, the same answers.
    const SplitBlockFilterView view = view_split_block_filter(bytes, "fuzz");
    if (view.blocks() != filter.blocks() || view.contains(key) != filter.contains(key)) {
      __builtin_trap();
    }
  });
  read_or_refuse([&] {
    const BloomFilter filter = decode_bloom_filter(bytes, "fuzz");
    const BloomFilter back = decode_bloom_filter(encode_bloom_filter(filter));
    if (!(back.bits() == filter.bits()) || !(back.members() == filter.members())) {
      __builtin_trap();
    }
    // Every member is reported: the decoder refused files where one is not.
    const Bitset positives = filter.positives();
    for (uint32_t t : filter.members().indices()) {
      if (!positives.test(t)) __builtin_trap();
    }
  });
  return 0;
}
