#include "bloomnet/filter_files.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"
#include "safetensors.hpp"

namespace bloomnet {
namespace {

constexpr uint64_t kMaxCount = 9'999'999'999;  // far from any overflow of the sizes below

void write_atomically(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

// The container, checked to hold a filter of this kind.
safetensors::Container parse_kind(std::span<const uint8_t> bytes, const std::string& source,
                                  const std::string& kind) {
  safetensors::Container container = safetensors::parse(bytes, source);
  const auto found = container.metadata.find("kind");
  const std::string actual = found == container.metadata.end() ? "" : found->second;
  require(actual == kind, source + ": not a " + kind + " file (metadata kind = '" + actual + "')");
  return container;
}

uint64_t metadata_count(const safetensors::Container& container, const std::string& key,
                        const std::string& source) {
  const auto found = container.metadata.find(key);
  require(found != container.metadata.end(), source + ": metadata " + key + " is missing");
  return parse_count(found->second, source + ": metadata " + key, kMaxCount);
}

uint64_t metadata_seed(const safetensors::Container& container, const std::string& source) {
  const auto found = container.metadata.find("seed");
  require(found != container.metadata.end(), source + ": metadata seed is missing");
  return parse_count(found->second, source + ": metadata seed");
}

// A bitset of `size` bits from a U64 tensor of ceil(size / 64) words whose bits past size are 0.
Bitset bitset_tensor(const safetensors::Container& container, const std::string& name, size_t size,
                     const std::string& source) {
  const safetensors::TensorEntry& entry = safetensors::find_tensor(
      container, name, "U64", 1, source, "a bloom_filter file has bits and members");
  const size_t words = (size + 63) / 64;
  require(entry.shape[0] == words,
          source + ": " + name + " has shape " + safetensors::shape_text(entry.shape) + " but " +
              std::to_string(size) + " bits need " + std::to_string(words) + " words");
  std::vector<uint64_t> values(words);
  std::memcpy(values.data(), container.data + entry.begin, words * sizeof(uint64_t));
  Bitset bits(size, values);
  require(std::equal(values.begin(), values.end(), bits.words().begin()),
          source + ": " + name + " has bits set at or past bit " + std::to_string(size));
  return bits;
}

template <class T>
std::span<const uint8_t> bytes_of(std::span<const T> values) {
  return safetensors::as_bytes(values);
}

}  // namespace

std::vector<uint8_t> encode_split_block_filter(const SplitBlockFilter& filter,
                                               const Metadata& metadata) {
  Metadata meta = metadata;
  meta["format"] = "bloomnet/1";
  meta["kind"] = "split_block_filter";
  meta["blocks"] = std::to_string(filter.blocks());
  meta["seed"] = std::to_string(filter.seed());
  meta["keys_inserted"] = std::to_string(filter.keys_inserted());
  return safetensors::encode(meta,
                             {{"blocks", "U32", {filter.blocks(), 8}, bytes_of(filter.words())}});
}

SplitBlockFilterView view_split_block_filter(std::span<const uint8_t> bytes,
                                             const std::string& source, const KernelSet& kernels) {
  const safetensors::Container container = parse_kind(bytes, source, "split_block_filter");
  const uint64_t blocks = metadata_count(container, "blocks", source);
  const uint64_t seed = metadata_seed(container, source);
  const auto inserted = container.metadata.find("keys_inserted");
  require(inserted != container.metadata.end(), source + ": metadata keys_inserted is missing");
  const uint64_t keys_inserted = parse_count(inserted->second, source + ": metadata keys_inserted");
  const safetensors::TensorEntry& entry = safetensors::find_tensor(
      container, "blocks", "U32", 2, source, "a split_block_filter file has blocks [blocks, 8]");
  require(blocks >= 1 && blocks <= UINT32_MAX && entry.shape[0] == blocks && entry.shape[1] == 8,
          source + ": blocks has shape " + safetensors::shape_text(entry.shape) +
              " but metadata blocks = " + std::to_string(blocks) + " (between 1 and 2^32 - 1)");
  const uint8_t* lanes = container.data + entry.begin;
  // Read in place, so the lanes must sit where a uint32_t may (a file of another writer might
  // not put them there).
  require(reinterpret_cast<uintptr_t>(lanes) % alignof(uint32_t) == 0,
          source + ": the lanes are not 4-byte aligned in the file");
  return {reinterpret_cast<const uint32_t*>(lanes), blocks, seed, keys_inserted, kernels};
}

SplitBlockFilter decode_split_block_filter(std::span<const uint8_t> bytes,
                                           const std::string& source) {
  const SplitBlockFilterView view = view_split_block_filter(bytes, source);
  return SplitBlockFilter::from_words(view.blocks(), view.seed(), view.words(),
                                      view.keys_inserted());
}

void save_split_block_filter(const std::filesystem::path& path, const SplitBlockFilter& filter,
                             const Metadata& metadata) {
  write_atomically(path, encode_split_block_filter(filter, metadata));
}

SplitBlockFilter load_split_block_filter(const std::filesystem::path& path) {
  return decode_split_block_filter(safetensors::read_file(path.string(), "filter file"),
                                   path.string());
}

MappedSplitBlockFilter MappedSplitBlockFilter::open(const std::filesystem::path& path,
                                                    const KernelSet& kernels) {
  MappedFile file(path, "filter file");
  const SplitBlockFilterView view = view_split_block_filter(file.bytes(), path.string(), kernels);
  return {std::move(file), view};
}

std::vector<uint8_t> encode_bloom_filter(const BloomFilter& filter, const Metadata& metadata) {
  const HashFamily& family = filter.family();
  require(family.seed().has_value(),
          "only a Bloom filter over a seeded hash family can be saved (it is rebuilt from V, m, "
          "h and seed)");
  Metadata meta = metadata;
  meta["format"] = "bloomnet/1";
  meta["kind"] = "bloom_filter";
  meta["V"] = std::to_string(family.V());
  meta["m"] = std::to_string(family.m());
  meta["h"] = std::to_string(family.h());
  meta["seed"] = std::to_string(*family.seed());
  const std::span<const uint64_t> bits = filter.bits().words(), members = filter.members().words();
  return safetensors::encode(meta, {{"bits", "U64", {bits.size()}, bytes_of(bits)},
                                    {"members", "U64", {members.size()}, bytes_of(members)}});
}

BloomFilter decode_bloom_filter(std::span<const uint8_t> bytes, const std::string& source) {
  const safetensors::Container container = parse_kind(bytes, source, "bloom_filter");
  const uint64_t V = metadata_count(container, "V", source);
  const uint64_t m = metadata_count(container, "m", source);
  const uint64_t h = metadata_count(container, "h", source);
  const uint64_t seed = metadata_seed(container, source);
  // The tensors first: their shapes bound V and m by the file's size before the family is built.
  Bitset bits = bitset_tensor(container, "bits", m, source);
  Bitset members = bitset_tensor(container, "members", V, source);
  try {
    return BloomFilter(std::make_shared<const HashFamily>(V, m, h, seed), std::move(bits),
                       std::move(members));
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

void save_bloom_filter(const std::filesystem::path& path, const BloomFilter& filter,
                       const Metadata& metadata) {
  write_atomically(path, encode_bloom_filter(filter, metadata));
}

BloomFilter load_bloom_filter(const std::filesystem::path& path) {
  return decode_bloom_filter(safetensors::read_file(path.string(), "filter file"), path.string());
}

}  // namespace bloomnet
