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

// Hidden columns per chunk of the two products that own columns: one chunk per thread of the
// team, rounded up to whole vectors.
size_t columns_per_chunk(size_t d) {
  const auto threads = static_cast<size_t>(omp_get_num_threads());
  return std::max<size_t>(16, round_up((d + threads - 1) / threads, 16));
}

// Rows of the batch per chunk when a product is split by rows: one chunk per thread of the team,
// rounded up to whole register tiles (6 rows on AVX-512).
size_t rows_per_chunk(size_t B) {
  const auto threads = static_cast<size_t>(omp_get_num_threads());
  return std::max<size_t>(6, round_up((B + threads - 1) / threads, 6));
}

// The widest register tile's columns (AVX-512: 4 vectors of 16).
constexpr size_t kWidestTileColumns = 64;

void require_well_formed(const TokenBatch& batch, size_t V) {
  require(!batch.offsets.empty() && batch.offsets.front() == 0 &&
              batch.offsets.back() == batch.tokens.size() &&
              std::is_sorted(batch.offsets.begin(), batch.offsets.end()),
          "malformed token batch: offsets must rise from 0 to the number of tokens");
  require_in_vocabulary(batch.tokens, V);
}

}  // namespace

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

namespace partition {

void hidden_forward(const KernelSet& kernels, Activation activation, const float* W_in,
                    const float* b_in, const TokenBatch& batch, size_t d, float* hidden) {
  const size_t B = batch.size();
#pragma omp for schedule(static)
  for (long c = 0; c < chunks(B, kRowsPerChunk); ++c) {
    const size_t b0 = static_cast<size_t>(c) * kRowsPerChunk;
    kernels.network.hidden_forward(activation, W_in, b_in, batch.tokens.data(),
                                   batch.offsets.data() + b0, std::min(kRowsPerChunk, B - b0), d,
                                   hidden + b0 * d);
  }
}

void output_forward(const KernelSet& kernels, const float* hidden, const float* W_outT,
                    const float* b_out, size_t B, size_t d, size_t V, float* z) {
#pragma omp for schedule(static)
  for (long c = 0; c < chunks(V, kTokensPerChunk); ++c) {
    const size_t t0 = static_cast<size_t>(c) * kTokensPerChunk;
    kernels.network.output_forward(hidden, W_outT, b_out, B, d, V, t0,
                                   std::min(V, t0 + kTokensPerChunk), z);
  }
}

void softmax(const KernelSet& kernels, const float* z, size_t B, size_t V, float* p,
             float* log_normalizer) {
#pragma omp for schedule(static)
  for (long c = 0; c < chunks(B, kRowsPerChunk); ++c) {
    const size_t b0 = static_cast<size_t>(c) * kRowsPerChunk;
    kernels.network.softmax(z + b0 * V, std::min(kRowsPerChunk, B - b0), V, p + b0 * V,
                            log_normalizer + b0);
  }
}

void transpose(const float* hidden, size_t B, size_t d, float* hidden_t) {
#pragma omp for schedule(static)
  for (long j = 0; j < static_cast<long>(d); ++j) {
    for (size_t b = 0; b < B; ++b) hidden_t[j * B + b] = hidden[b * d + j];
  }
}

void output_weight_gradient(const KernelSet& kernels, const float* hidden_t, const float* dz,
                            size_t B, size_t d, size_t V, float* dW_outT, float* db_out) {
#pragma omp for schedule(static)
  for (long c = 0; c < chunks(V, kTokensPerChunk); ++c) {
    const size_t t0 = static_cast<size_t>(c) * kTokensPerChunk;
    kernels.network.output_weight_gradient(hidden_t, dz, B, d, V, t0,
                                           std::min(V, t0 + kTokensPerChunk), dW_outT, db_out);
  }
}

void hidden_gradient(const KernelSet& kernels, Activation activation, const float* dz,
                     const float* W_outT, const float* hidden, size_t B, size_t d, size_t V,
                     float* dhidden) {
  // Split by columns, each thread packs only its own columns of W_outT; but a share narrower than
  // the widest register tile (64 columns on AVX-512) runs on narrow, slower tiles: then split by
  // rows of the batch, each thread packing all of W_outT (a copy, cheap next to the product).
  const size_t columns = columns_per_chunk(d);
  if (columns >= kWidestTileColumns || columns >= d) {
#pragma omp for schedule(static)
    for (long c = 0; c < chunks(d, columns); ++c) {
      const size_t j0 = static_cast<size_t>(c) * columns;
      kernels.network.hidden_gradient(activation, dz, W_outT, hidden, B, d, V, j0,
                                      std::min(d, j0 + columns), dhidden);
    }
  } else {
    const size_t rows = rows_per_chunk(B);
#pragma omp for schedule(static)
    for (long c = 0; c < chunks(B, rows); ++c) {
      const size_t b0 = static_cast<size_t>(c) * rows;
      kernels.network.hidden_gradient(activation, dz + b0 * V, W_outT, hidden + b0 * d,
                                      std::min(rows, B - b0), d, V, 0, d, dhidden + b0 * d);
    }
  }
}

void input_gradient(const KernelSet& kernels, const float* dhidden, const TokenBatch& batch,
                    size_t V, size_t d, InputGradientBuffer buffer, float* dW_in, float* db_in) {
  if (buffer == InputGradientBuffer::kAnyContents) {
#pragma omp for schedule(static)
    for (long t = 0; t < static_cast<long>(V); ++t) {
      std::fill_n(dW_in + static_cast<size_t>(t) * d, d, 0.0f);
    }
  }
  const size_t columns = columns_per_chunk(d);
#pragma omp for schedule(static)
  for (long c = 0; c < chunks(d, columns); ++c) {
    const size_t j0 = static_cast<size_t>(c) * columns;
    const size_t j1 = std::min(d, j0 + columns);
    std::fill(db_in + j0, db_in + j1, 0.0f);
    kernels.network.input_gradient(dhidden, batch.tokens.data(), batch.offsets.data(), batch.size(),
                                   d, j0, j1, dW_in, db_in);
  }
}

}  // namespace partition

namespace {

void forward_pass(const Network& net, const TokenBatch& batch, Activations& out,
                  const KernelSet& kernels, bool probabilities) {
  const size_t V = net.V(), d = net.d(), B = batch.size();
  require_well_formed(batch, V);
  out.B = B;
  out.hidden.resize(B * d);
  out.z.resize(B * V);
  out.p.resize(probabilities ? B * V : 0);
  out.log_normalizer.resize(probabilities ? B : 0);
  if (B == 0) return;

#pragma omp parallel if (B * V * d > kParallelWork)
  {
    partition::hidden_forward(kernels, net.activation(), net.W_in().data(), net.b_in().data(),
                              batch, d, out.hidden.data());
    partition::output_forward(kernels, out.hidden.data(), net.W_outT().data(), net.b_out().data(),
                              B, d, V, out.z.data());
    if (probabilities) {
      partition::softmax(kernels, out.z.data(), B, V, out.p.data(), out.log_normalizer.data());
    }
  }
}

}  // namespace

void forward(const Network& net, const TokenBatch& batch, Activations& out,
             const KernelSet& kernels) {
  forward_pass(net, batch, out, kernels, true);
}

void forward_logits(const Network& net, const TokenBatch& batch, Activations& out,
                    const KernelSet& kernels) {
  forward_pass(net, batch, out, kernels, false);
}

void backward(const Network& net, const TokenBatch& batch, const Activations& act,
              std::span<const float> dz, Network& grad, BackwardScratch& scratch,
              const KernelSet& kernels, InputGradientBuffer buffer) {
  const size_t V = net.V(), d = net.d(), B = batch.size();
  require(grad.V() == V && grad.d() == d, "the gradient buffer's shape differs from the network's");
  require(B >= 1, "backward needs a batch of at least one set");
  require(act.B == B && act.hidden.size() == B * d && dz.size() == B * V,
          "backward needs the forward pass of the same batch and dz of shape (B, V)");
  require_well_formed(batch, V);
  scratch.hidden_t.resize(d * B);
  scratch.dhidden.resize(B * d);

#pragma omp parallel if (B * V * d > kParallelWork)
  {
    partition::transpose(act.hidden.data(), B, d, scratch.hidden_t.data());
    partition::output_weight_gradient(kernels, scratch.hidden_t.data(), dz.data(), B, d, V,
                                      grad.W_outT().data(), grad.b_out().data());
    partition::hidden_gradient(kernels, net.activation(), dz.data(), net.W_outT().data(),
                               act.hidden.data(), B, d, V, scratch.dhidden.data());
    partition::input_gradient(kernels, scratch.dhidden.data(), batch, V, d, buffer,
                              grad.W_in().data(), grad.b_in().data());
  }
}

}  // namespace bloomnet
