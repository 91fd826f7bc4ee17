#include "bloomnet/loss.hpp"

#include <algorithm>

#include "bloomnet/error.hpp"

namespace bloomnet {

double loss_gradient(LossKind loss, const TokenBatch& batch, const Activations& act,
                     std::vector<float>& dz, const KernelSet& kernels) {
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
    const size_t rows = std::min(kRowsPerChunk, B - b0);
    kernels.training.loss_gradient(loss, act.z.data() + b0 * V, act.p.data() + b0 * V,
                                   act.log_normalizer.data() + b0, batch.tokens.data(),
                                   batch.offsets.data() + b0, rows, V, scale, dz.data() + b0 * V,
                                   per_set.data() + b0);
  }
  double sum = 0.0;
  for (double l : per_set) sum += l;
  return sum / static_cast<double>(B);
}

}  // namespace bloomnet
