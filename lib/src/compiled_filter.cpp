#include "bloomnet/compiled_filter.hpp"

#include <bit>
#include <cstring>
#include <string>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"
#include "bloomnet/resources.hpp"
#include "bloomnet/task.hpp"
#include "safetensors.hpp"

namespace bloomnet {
namespace {

size_t words_for(size_t m) { return (m + 63) / 64; }

// Ten decimal digits, as the format has always allowed.
constexpr uint64_t kMaxFilterBits = 9'999'999'999;

}  // namespace

CompiledFilter::CompiledFilter(const HashFamily& family, const KernelSet& kernels)
    : V_(family.V()), m_(family.m()), words_(words_for(family.m())), kernels_(&kernels) {
  require_memory(static_cast<double>(V_) * static_cast<double>(words_) * sizeof(uint64_t),
                 "a compiled filter of V = " + std::to_string(V_) +
                     " tokens and m = " + std::to_string(m_) + " bits");
  masks_.assign(V_ * words_, 0);
  for (uint32_t t = 0; t < V_; ++t) {
    for (uint32_t j : family.positions(t)) masks_[t * words_ + j / 64] |= uint64_t{1} << (j % 64);
  }
  build_rows();
}

CompiledFilter::CompiledFilter(size_t V, size_t m, std::vector<uint64_t> masks,
                               const KernelSet& kernels)
    : V_(V), m_(m), words_(words_for(m)), kernels_(&kernels), masks_(std::move(masks)) {
  require(V >= 1 && m >= 1, "a compiled filter needs V >= 1 and m >= 1");
  require(masks_.size() / words_ == V && masks_.size() % words_ == 0,
          "a compiled filter of V = " + std::to_string(V) + " and m = " + std::to_string(m) +
              " needs " + std::to_string(V) + " x " + std::to_string(words_) + " mask words");
  if (m_ % 64 != 0) {
    const uint64_t outside = ~uint64_t{0} << (m_ % 64);
    for (size_t t = 0; t < V_; ++t) {
      require(
          (masks_[t * words_ + words_ - 1] & outside) == 0,
          "the mask of token " + std::to_string(t) + " has bits past m = " + std::to_string(m_));
    }
  }
  build_rows();
}

void CompiledFilter::build_rows() {
  const size_t row_words = words_for(V_);
  rows_.assign(m_ * row_words, 0);
  for (size_t t = 0; t < V_; ++t) {
    for (size_t w = 0; w < words_; ++w) {
      for (uint64_t bits = masks_[t * words_ + w]; bits != 0; bits &= bits - 1) {
        const size_t j = w * 64 + static_cast<size_t>(std::countr_zero(bits));
        rows_[j * row_words + t / 64] |= uint64_t{1} << (t % 64);
      }
    }
  }
}

Bitset CompiledFilter::filter_of(std::span<const uint32_t> S) const {
  require_in_vocabulary(S, V_);
  std::vector<uint64_t> bits(words_, 0);
  for (uint32_t s : S) {
    for (size_t w = 0; w < words_; ++w) bits[w] |= masks_[s * words_ + w];
  }
  return Bitset(m_, std::move(bits));
}

Bitset CompiledFilter::positives(std::span<const uint32_t> S) const {
  const Bitset filter = filter_of(S);
  std::vector<uint32_t> unset_bits;
  for (size_t j = 0; j < m_; ++j) {
    if (!filter.test(j)) unset_bits.push_back(static_cast<uint32_t>(j));
  }
  const size_t row_words = words_for(V_);
  std::vector<uint64_t> negatives(row_words);
  // Large vocabularies split their words among threads: every word has one owner.
  constexpr size_t kWordsPerChunk = 256;
  const long chunks = static_cast<long>((row_words + kWordsPerChunk - 1) / kWordsPerChunk);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (long c = 0; c < chunks; ++c) {
    const size_t w0 = static_cast<size_t>(c) * kWordsPerChunk;
    kernels_->filter.union_of_rows(rows_.data(), row_words, unset_bits.data(), unset_bits.size(),
                                   w0, std::min(row_words, w0 + kWordsPerChunk), negatives.data());
  }
  for (uint64_t& w : negatives) w = ~w;
  return Bitset(V_, std::move(negatives));  // drops the complement's bits past V
}

Bitset CompiledFilter::positives_by_masks(std::span<const uint32_t> S) const {
  const Bitset filter = filter_of(S);
  std::vector<uint64_t> unset(words_);
  for (size_t w = 0; w < words_; ++w) unset[w] = ~filter.words()[w];
  // Bits past m in the complement are harmless: no mask has them.
  std::vector<uint64_t> out(words_for(V_));
  kernels_->filter.mask_positives(masks_.data(), V_, words_, unset.data(), out.data());
  return Bitset(V_, std::move(out));
}

std::vector<uint8_t> encode_compiled_filter(const CompiledFilter& filter,
                                            const Metadata& metadata) {
  Metadata meta = metadata;
  meta["format"] = "bloomnet/1";
  meta["kind"] = "compiled_filter";
  meta["m"] = std::to_string(filter.m());
  return safetensors::encode(
      meta,
      {{"hash_masks", "U64", {filter.V(), filter.words()}, safetensors::as_bytes(filter.masks())}});
}

CompiledFilter decode_compiled_filter(std::span<const uint8_t> bytes, const std::string& source) {
  const safetensors::Container container = safetensors::parse(bytes, source);
  const auto kind = container.metadata.find("kind");
  require(kind != container.metadata.end() && kind->second == "compiled_filter",
          source + ": not a compiled filter (metadata kind = '" +
              (kind == container.metadata.end() ? "" : kind->second) + "')");
  const auto m_text = container.metadata.find("m");
  require(m_text != container.metadata.end(), source + ": metadata m is missing");
  // The bound keeps words_for(m) far from overflow; the tensor's shape must agree with it anyway.
  const size_t m = parse_count(m_text->second, source + ": metadata m", kMaxFilterBits);
  const safetensors::TensorEntry& masks = safetensors::find_tensor(
      container, "hash_masks", "U64", 2, source, "a compiled filter has hash_masks [V, words]");
  require(m >= 1 && masks.shape[0] >= 1 && masks.shape[1] == words_for(m),
          source + ": hash_masks has shape " + safetensors::shape_text(masks.shape) + " but m = " +
              std::to_string(m) + " needs " + std::to_string(words_for(m)) + " words per token");
  std::vector<uint64_t> words(masks.shape[0] * masks.shape[1]);
  std::memcpy(words.data(), container.data + masks.begin, words.size() * sizeof(uint64_t));
  try {
    return CompiledFilter(masks.shape[0], m, std::move(words));
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

void save_compiled_filter(const std::filesystem::path& path, const CompiledFilter& filter,
                          const Metadata& metadata) {
  const std::vector<uint8_t> bytes = encode_compiled_filter(filter, metadata);
  AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

CompiledFilter load_compiled_filter(const std::filesystem::path& path) {
  return decode_compiled_filter(safetensors::read_file(path.string(), "filter file"),
                                path.string());
}

}  // namespace bloomnet
