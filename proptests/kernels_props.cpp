// Every SIMD kernel set this CPU runs against the scalar references, on random networks whose
// sizes exercise full tiles and every kind of tail.

#include <array>
#include <cmath>
#include <cstdlib>
#include <string>

#include "bloomnet/error.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

RC_GTEST_PROP(Kernels, simd_forward_matches_scalar_reference, ()) {
  const size_t V = draw<size_t>(1, 300), d = draw<size_t>(1, 80);
  const Network net =
      prop::draw_network(V, d, *rc::gen::element(0.1f, 1.0f, 10.0f), prop::draw_activation());
  const TokenBatch batch = prop::draw_batch(V, draw<size_t>(1, 13), 8);
  Activations scalar;
  forward(net, batch, scalar, scalar_kernels());
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    Activations simd;
    forward(net, batch, simd, *kernels);
    // Gather-sums add in the same order everywhere: identical bits.
    RC_ASSERT(prop::same_bits(simd.hidden, scalar.hidden));
    // The GEMM is one fused multiply-add per term in the same order: identical bits where the
    // instruction set fuses (sse2 rounds the product separately).
    if (kernels->fused_multiply_add) {
      RC_ASSERT(prop::same_bits(simd.z, scalar.z));
    }
    // Softmax on the same logits: exp and the order of the sum differ, so up to ~32 ulp apart.
    std::vector<float> p(simd.z.size());
    scalar_kernels().network.softmax(simd.z.data(), batch.size(), V, p.data(), nullptr);
    for (size_t i = 0; i < p.size(); ++i) {
      RC_ASSERT(std::abs(simd.p[i] - p[i]) <= 4e-6f * p[i] + 1e-30f);
    }
  }
}

// The two products that read W_outT or dz by rows, with reductions (d for the logits, B for the
// weight gradient) past the GEMM's blocks of 512: every block after the first continues the
// partial sums and the column sums of the last, so the bits equal the scalar twin's one chain
// (where the instruction set fuses; sse2 rounds each product: within 1e-5 a term of the chain).
RC_GTEST_PROP(Kernels, simd_products_match_scalar_past_the_reduction_block, ()) {
  // K drawn over its whole range from the first case (inRange scales with the size otherwise).
  const size_t K = *rc::gen::resize(100, rc::gen::inRange<size_t>(1, 1101));
  const size_t rows = draw<size_t>(1, 13), V = draw<size_t>(1, 150);
  const size_t t0 = draw<size_t>(0, V - 1), t1 = draw<size_t>(t0 + 1, V);
  CounterRng rng(*rc::gen::arbitrary<uint64_t>(), Purpose::kInit, 0);
  auto values = [&](size_t n) {
    std::vector<float> out(n);
    for (float& x : out) x = static_cast<float>(2.0 * rng.unit() - 1.0);
    return out;
  };
  // Logits: hidden (rows, K), W_outT (K, V). Weight gradient: hidden_t (rows, K), dz (K, V).
  const std::vector<float> left = values(rows * K), right = values(K * V), bias = values(V);
  auto run = [&](const KernelSet& kernels) {
    std::vector<float> z(rows * V, 0.0f), dW(rows * V, 0.0f), db(V, 0.0f);
    kernels.network.output_forward(left.data(), right.data(), bias.data(), rows, K, V, t0, t1,
                                   z.data());
    kernels.network.output_weight_gradient(left.data(), right.data(), K, rows, V, t0, t1, dW.data(),
                                           db.data());
    return std::array{z, dW, db};
  };
  const auto expected = run(scalar_kernels());
  for (const KernelSet* kernels : runnable_simd_kernels()) {
    const auto got = run(*kernels);
    // The column sums are plain adds in increasing k on every instruction set.
    RC_ASSERT(prop::same_bits(got[2], expected[2]));
    for (size_t i = 0; i < 2; ++i) {
      if (kernels->fused_multiply_add) {
        RC_ASSERT(prop::same_bits(got[i], expected[i]));
      } else {
        for (size_t e = 0; e < got[i].size(); ++e) {
          RC_ASSERT(std::abs(got[i][e] - expected[i][e]) <= 1e-5f * static_cast<float>(K + 1));
        }
      }
    }
  }
}

// Logits as extreme as finite floats allow (+-1e30 beside ordinary values) still give finite,
// normalized probabilities and a finite log-normalizer, on every kernel set.
RC_GTEST_PROP(Kernels, softmax_of_extreme_logits_is_finite_and_normalized, ()) {
  const size_t V = draw<size_t>(1, 200), B = draw<size_t>(1, 4);
  std::vector<float> z(B * V);
  for (float& x : z) x = *rc::gen::element(1e30f, -1e30f, 0.0f, 3.5f, -7.25f, 1e-30f);
  std::vector<const KernelSet*> sets = runnable_simd_kernels();
  sets.push_back(&scalar_kernels());
  for (const KernelSet* kernels : sets) {
    std::vector<float> p(B * V), log_normalizer(B);
    kernels->network.softmax(z.data(), B, V, p.data(), log_normalizer.data());
    for (size_t b = 0; b < B; ++b) {
      double sum = 0;
      for (size_t t = 0; t < V; ++t) {
        RC_ASSERT(std::isfinite(p[b * V + t]) && p[b * V + t] >= 0.0f);
        sum += p[b * V + t];
      }
      RC_ASSERT(std::abs(sum - 1.0) <= 1e-5);
      RC_ASSERT(std::isfinite(log_normalizer[b]));
    }
  }
}

// BLOOMNET_EXPECT_KERNELS names the set the CPU should get: the portability tests run this binary
// under qemu as CPUs without AVX-512 or without AVX.
TEST(Kernels, dispatch_picks_the_best_runnable_set) {
  const auto runnable = runnable_simd_kernels();
  ASSERT_FALSE(runnable.empty());
  EXPECT_STREQ(simd_kernels().name, runnable.front()->name);
  if (const char* expected = std::getenv("BLOOMNET_EXPECT_KERNELS")) {
    EXPECT_STREQ(simd_kernels().name, expected);
  }
}

}  // namespace
}  // namespace bloomnet

namespace bloomnet {
namespace {

TEST(Network, forward_refuses_tokens_outside_the_vocabulary_and_malformed_batches) {
  const Network net(4, 3);
  Activations act;
  TokenBatch batch;
  batch.add(std::vector<uint32_t>{1, 4});
  EXPECT_THROW(forward(net, batch, act), Error);
  batch.clear();
  batch.tokens = {0, 1};
  batch.offsets = {0, 3};
  EXPECT_THROW(forward(net, batch, act), Error);
  EXPECT_THROW(Network(0, 3), Error);
  EXPECT_THROW(Network(3, 0), Error);
  EXPECT_THROW(Network(size_t{1} << 31, size_t{1} << 31), Error);  // 2^64 bytes
}

}  // namespace
}  // namespace bloomnet
