#include "bloomnet/network.hpp"

#include <algorithm>
#include <string>

#include "bloomnet/error.hpp"
#include "bloomnet/resources.hpp"

namespace bloomnet {
namespace {

constexpr size_t kAlignFloats = 16;  // 64 bytes

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

Network::Network(size_t V, size_t d) : V_(V), d_(d) {
  require(V >= 1, "the vocabulary needs at least one token (V = 0)");
  require(d >= 1, "the hidden layer needs at least one neuron (d = 0)");
  require(V <= UINT32_MAX, "V = " + std::to_string(V) + " does not fit 32-bit token ids");
  require_memory(2.0 * static_cast<double>(V) * static_cast<double>(d) * sizeof(float),
                 "a network with V = " + std::to_string(V) + " and d = " + std::to_string(d));
  W_in_at_ = 0;
  b_in_at_ = round_up(V * d, kAlignFloats);
  W_outT_at_ = b_in_at_ + round_up(d, kAlignFloats);
  b_out_at_ = W_outT_at_ + round_up(d * V, kAlignFloats);
  params_.assign(b_out_at_ + round_up(V, kAlignFloats), 0.0f);
}

void forward(const Network& net, const TokenBatch& batch, Activations& out,
             const KernelSet& kernels) {
  const size_t V = net.V(), d = net.d(), B = batch.size();
  require(!batch.offsets.empty() && batch.offsets.front() == 0 &&
              batch.offsets.back() == batch.tokens.size() &&
              std::is_sorted(batch.offsets.begin(), batch.offsets.end()),
          "malformed token batch: offsets must rise from 0 to the number of tokens");
  require_in_vocabulary(batch.tokens, V);
  out.B = B;
  out.hidden.resize(B * d);
  out.z.resize(B * V);
  out.p.resize(B * V);
  if (B == 0) return;

  const float* W_in = net.W_in().data();
  const float* b_in = net.b_in().data();
  const float* W_outT = net.W_outT().data();
  const float* b_out = net.b_out().data();
  // Each output element is computed by one thread in a fixed order, so the split below changes
  // only speed, never a bit.
  constexpr size_t kRowsPerChunk = 16;
  constexpr size_t kTokensPerChunk = 256;
  const bool parallel = B * V * d > (size_t{1} << 18);
  const auto row_chunks = static_cast<long>((B + kRowsPerChunk - 1) / kRowsPerChunk);
  const auto token_chunks = static_cast<long>((V + kTokensPerChunk - 1) / kTokensPerChunk);

#pragma omp parallel if (parallel)
  {
#pragma omp for schedule(static)
    for (long c = 0; c < row_chunks; ++c) {
      const size_t b0 = static_cast<size_t>(c) * kRowsPerChunk;
      const size_t rows = std::min(kRowsPerChunk, B - b0);
      kernels.hidden_forward(W_in, b_in, batch.tokens.data(), batch.offsets.data() + b0, rows, d,
                             out.hidden.data() + b0 * d);
    }
#pragma omp for schedule(static)
    for (long c = 0; c < token_chunks; ++c) {
      const size_t t0 = static_cast<size_t>(c) * kTokensPerChunk;
      kernels.output_forward(out.hidden.data(), W_outT, b_out, B, d, V, t0,
                             std::min(V, t0 + kTokensPerChunk), out.z.data());
    }
#pragma omp for schedule(static)
    for (long c = 0; c < row_chunks; ++c) {
      const size_t b0 = static_cast<size_t>(c) * kRowsPerChunk;
      const size_t rows = std::min(kRowsPerChunk, B - b0);
      kernels.softmax(out.z.data() + b0 * V, rows, V, out.p.data() + b0 * V);
    }
  }
}

}  // namespace bloomnet
