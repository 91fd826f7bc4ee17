// The backward pass and the losses: gradients against central finite differences of a
// double-precision reference, and every SIMD kernel set against the scalar references.
#include <cmath>
#include <string>

#include "bloomnet/error.hpp"
#include "bloomnet/loss.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// The network's parameters in double, laid out as in Network::params().
struct ReferenceNet {
  size_t V, d;
  bool relu;
  std::vector<double> params;
  size_t W_in_at, b_in_at, W_outT_at, b_out_at;

  explicit ReferenceNet(const Network& net)
      : V(net.V()),
        d(net.d()),
        relu(net.activation() == Activation::kRelu),
        params(net.params().begin(), net.params().end()) {
    const float* base = net.params().data();
    W_in_at = static_cast<size_t>(net.W_in().data() - base);
    b_in_at = static_cast<size_t>(net.b_in().data() - base);
    W_outT_at = static_cast<size_t>(net.W_outT().data() - base);
    b_out_at = static_cast<size_t>(net.b_out().data() - base);
  }

  // The batch's mean loss, in double; `kinks` collects the sign of every hidden pre-activation so
  // a finite difference across a ReLU kink can be recognised and skipped.
  double loss(LossKind kind, const TokenBatch& batch, std::vector<bool>* kinks) const {
    double total = 0.0;
    for (size_t b = 0; b < batch.size(); ++b) {
      const auto S = batch.set(b);
      std::vector<double> hidden(d);
      for (size_t j = 0; j < d; ++j) {
        double pre = params[b_in_at + j];
        for (uint32_t t : S) pre += params[W_in_at + t * d + j];
        if (kinks && relu) kinks->push_back(pre > 0);
        hidden[j] = !relu || pre > 0 ? pre : 0;
      }
      std::vector<double> z(V);
      double zmax = -INFINITY;
      for (size_t t = 0; t < V; ++t) {
        z[t] = params[b_out_at + t];
        for (size_t j = 0; j < d; ++j) z[t] += hidden[j] * params[W_outT_at + j * V + t];
        zmax = std::max(zmax, z[t]);
      }
      double sum = 0.0;
      for (size_t t = 0; t < V; ++t) sum += std::exp(z[t] - zmax);
      const double q = 1.0 / static_cast<double>(S.size());
      if (kind == LossKind::kCrossEntropy) {
        for (uint32_t t : S) total -= q * (z[t] - zmax - std::log(sum));
      } else {
        std::vector<double> target(V, 0.0);
        for (uint32_t t : S) target[t] = q;
        for (size_t t = 0; t < V; ++t) {
          const double p = std::exp(z[t] - zmax) / sum;
          total += (p - target[t]) * (p - target[t]);
        }
      }
    }
    return total / static_cast<double>(batch.size());
  }
};

TokenBatch draw_training_batch(size_t V) {
  const size_t k = draw<size_t>(1, std::min<size_t>(V, 5));
  const TaskConfig task{V, k, draw<size_t>(k, std::min<size_t>(V, 6)), 0.0};
  TokenBatch batch;
  TaskSampler(task, *rc::gen::arbitrary<uint64_t>()).sample(0, draw<size_t>(1, 5), batch);
  return batch;
}

// Forward, loss and backward of one batch with the scalar references.
struct ScalarPass {
  Activations act;
  std::vector<float> dz;
  double loss;
  Network grad;

  ScalarPass(const Network& net, const TokenBatch& batch, LossKind kind)
      : grad(net.V(), net.d(), net.activation()) {
    forward(net, batch, act, scalar_kernels());
    loss = loss_gradient(kind, batch, act, dz, scalar_kernels());
    BackwardScratch scratch;
    backward(net, batch, act, dz, grad, scratch, scalar_kernels());
  }
};

RC_GTEST_PROP(Backward, gradients_match_central_finite_differences_in_double, ()) {
  const size_t V = draw<size_t>(2, 40), d = draw<size_t>(1, 12);
  const Network net =
      prop::draw_network(V, d, *rc::gen::element(0.3f, 1.0f, 2.0f), prop::draw_activation());
  const TokenBatch batch = draw_training_batch(V);
  const LossKind kind = *rc::gen::element(LossKind::kCrossEntropy, LossKind::kMse);
  const Network grad = ScalarPass(net, batch, kind).grad;

  ReferenceNet ref(net);
  std::vector<bool> kinks;
  ref.loss(kind, batch, &kinks);
  const std::vector<size_t> tensor_starts = {ref.W_in_at, ref.b_in_at, ref.W_outT_at, ref.b_out_at};
  const std::vector<size_t> tensor_sizes = {V * d, d, d * V, V};
  double largest = 0.0;
  for (float g : grad.params()) largest = std::max(largest, std::abs(static_cast<double>(g)));
  const double h = 1e-6;
  for (int probe = 0; probe < 24; ++probe) {
    const size_t tensor = draw<size_t>(0, 3);
    const size_t i = tensor_starts[tensor] + draw<size_t>(0, tensor_sizes[tensor] - 1);
    const double saved = ref.params[i];
    std::vector<bool> kinks_plus, kinks_minus;
    ref.params[i] = saved + h;
    const double plus = ref.loss(kind, batch, &kinks_plus);
    ref.params[i] = saved - h;
    const double minus = ref.loss(kind, batch, &kinks_minus);
    ref.params[i] = saved;
    if (kinks_plus != kinks || kinks_minus != kinks) continue;  // straddles a ReLU kink
    const double numeric = (plus - minus) / (2 * h);
    RC_ASSERT(std::abs(numeric - grad.params()[i]) <= 1e-4 * largest + 1e-6);
  }
}

// Identical bits where the instruction set fuses multiply-adds (the products are fma chains in the
// scalar twin's order); sse2 rounds products separately and stays within 1e-5 of each tensor's
// largest gradient. V and d reach past the GEMMs' blocks (512 of the reduction, 64 columns on
// AVX-512), so the hidden gradient's reduction over V spans two blocks for several strips.
RC_GTEST_PROP(Backward, simd_backward_matches_scalar_reference, ()) {
  const size_t V = draw<size_t>(1, 700), d = draw<size_t>(1, 160);
  const Network net =
      prop::draw_network(V, d, *rc::gen::element(0.1f, 1.0f, 4.0f), prop::draw_activation());
  const TokenBatch batch = draw_training_batch(V);
  const LossKind kind = *rc::gen::element(LossKind::kCrossEntropy, LossKind::kMse);
  const ScalarPass scalar(net, batch, kind);
  const Activations& act = scalar.act;
  const std::vector<float>& dz = scalar.dz;
  const double loss = scalar.loss;
  const Network& expected = scalar.grad;
  BackwardScratch scratch;
  float largest = 0.0f;
  for (float g : expected.params()) largest = std::max(largest, std::abs(g));

  for (const KernelSet* kernels : runnable_simd_kernels()) {
    std::vector<float> simd_dz;
    const double simd_loss = loss_gradient(kind, batch, act, simd_dz, *kernels);
    // Cross-entropy: the same elementwise arithmetic. MSE sums p^2 in another order.
    if (kind == LossKind::kCrossEntropy) {
      RC_ASSERT(simd_loss == loss);
      RC_ASSERT(prop::same_bits(simd_dz, dz));
    } else {
      // The rounding of sum_t g_t p_t (|.| <= 2) moves entry u by p_u times it: a bound relative
      // to p_u, not to dz_u, which may cancel to nearly zero. The loss itself is
      // sum p^2 - 2 q sum_S p + q: terms near 1 cancelling, so an absolute bound of a few ulp of 1.
      RC_ASSERT(std::abs(simd_loss - loss) <= 1e-6);
      const float scale = 1.0f / static_cast<float>(batch.size());
      for (size_t i = 0; i < dz.size(); ++i) {
        RC_ASSERT(std::abs(simd_dz[i] - dz[i]) <= 4e-6f * act.p[i] * scale + 1e-30f);
      }
    }
    Network got(V, d, net.activation());
    backward(net, batch, act, dz, got, scratch, *kernels);
    if (kernels->fused_multiply_add) {
      RC_ASSERT(got == expected);
    } else {
      for (size_t i = 0; i < got.params().size(); ++i) {
        RC_ASSERT(std::abs(got.params()[i] - expected.params()[i]) <= 1e-5f * largest);
      }
    }
  }
}

// The training step's cross-entropy (softmax inside, no probabilities stored, dz written over the
// logits) against forward's softmax followed by loss_gradient, with each kernel set: the same loss
// and dz, bit for bit.
RC_GTEST_PROP(Loss, fused_cross_entropy_equals_softmax_then_loss, ()) {
  const size_t V = draw<size_t>(1, 300), d = draw<size_t>(1, 40);
  const Network net =
      prop::draw_network(V, d, *rc::gen::element(0.1f, 1.0f, 8.0f), prop::draw_activation());
  const TokenBatch batch = draw_training_batch(V);
  std::vector<const KernelSet*> sets = runnable_simd_kernels();
  sets.push_back(&scalar_kernels());
  for (const KernelSet* kernels : sets) {
    Activations full, logits;
    forward(net, batch, full, *kernels);
    std::vector<float> dz, fused_dz;
    const double loss = loss_gradient(LossKind::kCrossEntropy, batch, full, dz, *kernels);
    forward_logits(net, batch, logits, *kernels);
    RC_ASSERT(logits.p.empty());
    RC_ASSERT(prop::same_bits(logits.z, full.z));
    const double fused = softmax_cross_entropy(batch, logits, fused_dz, *kernels);
    RC_ASSERT(fused == loss);
    RC_ASSERT(prop::same_bits(fused_dz, dz));
    RC_ASSERT(softmax_cross_entropy_in_place(batch, logits, *kernels) == loss);
    RC_ASSERT(prop::same_bits(logits.z, dz));
  }
}

TEST(Backward, refuses_mismatched_buffers_and_missing_probabilities) {
  const Network net(5, 3);
  TokenBatch batch;
  batch.add(std::vector<uint32_t>{1, 2});
  Activations act;
  forward(net, batch, act);
  std::vector<float> dz(5);
  Network wrong(5, 4);
  BackwardScratch scratch;
  EXPECT_THROW(backward(net, batch, act, dz, wrong, scratch), Error);
  Network grad(5, 3);
  std::vector<float> short_dz(4);
  EXPECT_THROW(backward(net, batch, act, short_dz, grad, scratch), Error);
  // The losses that read probabilities refuse a pass that stopped at the logits.
  Activations logits;
  forward_logits(net, batch, logits);
  EXPECT_THROW(loss_gradient(LossKind::kMse, batch, logits, dz), Error);
  EXPECT_NO_THROW(softmax_cross_entropy(batch, logits, dz));
}

}  // namespace
}  // namespace bloomnet
