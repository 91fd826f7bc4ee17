#include "bloomnet/loss.hpp"

#include <algorithm>

#include "bloomnet/error.hpp"

namespace bloomnet {

namespace {

// Checks the batch against its forward pass, sizes dz, and runs `rows(b0, count, scale,
// per_set)` over chunks of rows in parallel; returns the mean of the per-set losses, summed in
// set order (the same for any thread count).
template <class Rows>
double mean_loss_over_rows(const TokenBatch& batch, const Activations& act, std::vector<float>& dz,
                           const Rows& rows) {
  const size_t B = batch.size();
  require(B >= 1 && act.B == B, "the loss needs the forward pass of a non-empty batch");
  const size_t V = act.z.size() / B;
  for (size_t b = 0; b < B; ++b) {
    require(batch.offsets[b + 1] > batch.offsets[b], "the loss needs sets of at least one token");
  }
  dz.resize(B * V);
  std::vector<double> per_set(B);
  constexpr size_t kRowsPerChunk = 8;
  const auto row_chunks = static_cast<long>((B + kRowsPerChunk - 1) / kRowsPerChunk);
  const float scale = 1.0f / static_cast<float>(B);
#pragma omp parallel for schedule(static) if (B * V > 65536)
  for (long c = 0; c < row_chunks; ++c) {
    const size_t b0 = static_cast<size_t>(c) * kRowsPerChunk;
    rows(b0, std::min(kRowsPerChunk, B - b0), V, scale, per_set.data() + b0);
  }
  double sum = 0.0;
  for (double l : per_set) sum += l;
  return sum / static_cast<double>(B);
}

}  // namespace

double loss_gradient(LossKind loss, const TokenBatch& batch, const Activations& act,
                     std::vector<float>& dz, const KernelSet& kernels) {
  require(act.p.size() == act.z.size(),
          "the loss needs the probabilities of the forward pass (forward(), not forward_logits())");
  return mean_loss_over_rows(
      batch, act, dz, [&](size_t b0, size_t rows, size_t V, float scale, double* per_set) {
        kernels.training.loss_gradient(loss, act.z.data() + b0 * V, act.p.data() + b0 * V,
                                       act.log_normalizer.data() + b0, batch.tokens.data(),
                                       batch.offsets.data() + b0, rows, V, scale,
                                       dz.data() + b0 * V, per_set);
      });
}

double softmax_cross_entropy(const TokenBatch& batch, const Activations& act,
                             std::vector<float>& dz, const KernelSet& kernels) {
  std::vector<float> members(batch.tokens.size());
  return mean_loss_over_rows(
      batch, act, dz, [&](size_t b0, size_t rows, size_t V, float scale, double* per_set) {
        kernels.training.softmax_cross_entropy(act.z.data() + b0 * V, batch.tokens.data(),
                                               batch.offsets.data() + b0, rows, V, scale,
                                               dz.data() + b0 * V, members.data(), per_set);
      });
}

double softmax_cross_entropy_in_place(const TokenBatch& batch, Activations& act,
                                      const KernelSet& kernels) {
  // The kernel reads a row's logits before it writes the row's gradient (z may be dz).
  return softmax_cross_entropy(batch, act, act.z, kernels);
}

}  // namespace bloomnet
