#include "bloomnet/network.hpp"

#include <omp.h>

#include <algorithm>
#include <string>

#include "bloomnet/error.hpp"
#include "bloomnet/resources.hpp"

namespace bloomnet {
namespace {

constexpr size_t kAlignFloats = 16;  // 64 bytes

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Work below this many multiply-adds runs on one thread: forking would cost more than it saves.
constexpr size_t kParallelWork = size_t{1} << 18;
constexpr size_t kRowsPerChunk = 16;
constexpr size_t kTokensPerChunk = 256;

long chunks(size_t n, size_t per_chunk) {
  return static_cast<long>((n + per_chunk - 1) / per_chunk);
}

void require_well_formed(const TokenBatch& batch, size_t V) {
  require(!batch.offsets.empty() && batch.offsets.front() == 0 &&
              batch.offsets.back() == batch.tokens.size() &&
              std::is_sorted(batch.offsets.begin(), batch.offsets.end()),
          "malformed token batch: offsets must rise from 0 to the number of tokens");
  require_in_vocabulary(batch.tokens, V);
}

}  // namespace

const char* to_string(Activation activation) {
  return activation == Activation::kRelu ? "relu" : "linear";
}

Activation activation_from_string(const std::string& name) {
  if (name == "relu") return Activation::kRelu;
  if (name == "linear") return Activation::kIdentity;
  throw Error("unknown activation '" + name + "' (known: relu, linear)");
}

Network::Network(size_t V, size_t d, Activation activation)
    : V_(V), d_(d), activation_(activation) {
  require(V >= 1, "the vocabulary needs at least one token (V = 0)");
  require(d >= 1, "the hidden layer needs at least one neuron (d = 0)");
  require_memory(2.0 * static_cast<double>(V) * static_cast<double>(d) * sizeof(float),
                 "a network with V = " + std::to_string(V) + " and d = " + std::to_string(d));
  require(V <= UINT32_MAX, "V = " + std::to_string(V) + " does not fit 32-bit token ids");
  W_in_at_ = 0;
  b_in_at_ = round_up(V * d, kAlignFloats);
  W_outT_at_ = b_in_at_ + round_up(d, kAlignFloats);
  b_out_at_ = W_outT_at_ + round_up(d * V, kAlignFloats);
  params_.assign(b_out_at_ + round_up(V, kAlignFloats), 0.0f);
}

void forward(const Network& net, const TokenBatch& batch, Activations& out,
             const KernelSet& kernels) {
  const size_t V = net.V(), d = net.d(), B = batch.size();
  require_well_formed(batch, V);
  out.B = B;
  out.hidden.resize(B * d);
  out.z.resize(B * V);
  out.p.resize(B * V);
  out.log_normalizer.resize(B);
  if (B == 0) return;

  const float* W_in = net.W_in().data();
  const float* b_in = net.b_in().data();
  const float* W_outT = net.W_outT().data();
  const float* b_out = net.b_out().data();
  // Each output element is computed by one thread in a fixed order, so the split below changes
  // only speed, never a bit.
  const bool parallel = B * V * d > kParallelWork;
  const long row_chunks = chunks(B, kRowsPerChunk);
  const long token_chunks = chunks(V, kTokensPerChunk);

#pragma omp parallel if (parallel)
  {
#pragma omp for schedule(static)
    for (long c = 0; c < row_chunks; ++c) {
      const size_t b0 = static_cast<size_t>(c) * kRowsPerChunk;
      const size_t rows = std::min(kRowsPerChunk, B - b0);
      kernels.hidden_forward(net.activation(), W_in, b_in, batch.tokens.data(),
                             batch.offsets.data() + b0, rows, d, out.hidden.data() + b0 * d);
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
      kernels.softmax(out.z.data() + b0 * V, rows, V, out.p.data() + b0 * V,
                      out.log_normalizer.data() + b0);
    }
  }
}

void backward(const Network& net, const TokenBatch& batch, const Activations& act,
              std::span<const float> dz, Network& grad, BackwardScratch& scratch,
              const KernelSet& kernels) {
  const size_t V = net.V(), d = net.d(), B = batch.size();
  require(grad.V() == V && grad.d() == d, "the gradient buffer's shape differs from the network's");
  require(B >= 1, "backward needs a batch of at least one set");
  require(act.B == B && act.hidden.size() == B * d && dz.size() == B * V,
          "backward needs the forward pass of the same batch and dz of shape (B, V)");
  require_well_formed(batch, V);
  scratch.hidden_t.resize(d * B);
  scratch.dhidden.resize(B * d);

  const float* hidden = act.hidden.data();
  float* hidden_t = scratch.hidden_t.data();
  float* dhidden = scratch.dhidden.data();
  float* dW_in = grad.W_in().data();
  float* db_in = grad.b_in().data();
  const bool parallel = B * V * d > kParallelWork;
  const long token_chunks = chunks(V, kTokensPerChunk);

#pragma omp parallel if (parallel)
  {
    // Columns of the hidden layer per thread for the two products that own hidden columns; any
    // split gives the same bits (each element is one chain over tokens or over the batch).
    const size_t columns_per_chunk =
        std::max<size_t>(16, round_up((d + omp_get_num_threads() - 1) / omp_get_num_threads(), 16));
    const long column_chunks = chunks(d, columns_per_chunk);

#pragma omp for schedule(static)
    for (long j = 0; j < static_cast<long>(d); ++j) {
      for (size_t b = 0; b < B; ++b) hidden_t[j * B + b] = hidden[b * d + j];
    }
#pragma omp for schedule(static)
    for (long c = 0; c < token_chunks; ++c) {
      const size_t t0 = static_cast<size_t>(c) * kTokensPerChunk;
      kernels.output_weight_gradient(hidden_t, dz.data(), B, d, V, t0,
                                     std::min(V, t0 + kTokensPerChunk), grad.W_outT().data(),
                                     grad.b_out().data());
    }
#pragma omp for schedule(static)
    for (long c = 0; c < column_chunks; ++c) {
      const size_t j0 = static_cast<size_t>(c) * columns_per_chunk;
      kernels.hidden_gradient(net.activation(), dz.data(), net.W_outT().data(), hidden, B, d, V, j0,
                              std::min(d, j0 + columns_per_chunk), dhidden);
    }
#pragma omp for schedule(static)
    for (long t = 0; t < static_cast<long>(V); ++t) {
      std::fill_n(dW_in + static_cast<size_t>(t) * d, d, 0.0f);
    }
#pragma omp for schedule(static)
    for (long c = 0; c < column_chunks; ++c) {
      const size_t j0 = static_cast<size_t>(c) * columns_per_chunk;
      const size_t j1 = std::min(d, j0 + columns_per_chunk);
      std::fill(db_in + j0, db_in + j1, 0.0f);
      kernels.input_gradient(dhidden, batch.tokens.data(), batch.offsets.data(), B, d, j0, j1,
                             dW_in, db_in);
    }
  }
}

}  // namespace bloomnet
