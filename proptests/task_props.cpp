// The task sampler: sets of the configured sizes, drawn without replacement, per-index
// reproducible, and with the configured token and size distributions.
#include <omp.h>

#include <cmath>

#include "bloomnet/error.hpp"
#include "bloomnet/task.hpp"
#include "generators.hpp"

namespace bloomnet {
namespace {

using prop::draw;

TaskConfig draw_task() {
  TaskConfig task;
  task.V = draw<size_t>(1, 2000);
  task.k = draw<size_t>(1, std::min<size_t>(task.V, 20));
  if (*rc::gen::arbitrary<bool>()) task.k_max = draw<size_t>(task.k, std::min<size_t>(task.V, 30));
  if (*rc::gen::arbitrary<bool>()) task.zipf = *rc::gen::element(0.3, 1.0, 2.5);
  return task;
}

RC_GTEST_PROP(Task, sets_are_distinct_increasing_tokens_of_the_configured_size, ()) {
  const TaskConfig task = draw_task();
  TokenBatch batch;
  TaskSampler(task, *rc::gen::arbitrary<uint64_t>()).sample(draw<uint64_t>(0, 1000000), 64, batch);
  RC_ASSERT(batch.size() == 64u);
  for (size_t b = 0; b < batch.size(); ++b) {
    const auto S = batch.set(b);
    RC_ASSERT(S.size() >= task.k && S.size() <= task.largest_set());
    for (size_t i = 0; i < S.size(); ++i) {
      RC_ASSERT(S[i] < task.V);
      if (i > 0) RC_ASSERT(S[i - 1] < S[i]);
    }
  }
}

// Batches of 64 sets and more are drawn on all threads: any thread count, the same sets.
RC_GTEST_PROP(Task, set_i_depends_only_on_seed_and_index, ()) {
  const TaskConfig task = draw_task();
  const TaskSampler sampler(task, *rc::gen::arbitrary<uint64_t>(), Purpose::kTrainSet);
  const uint64_t first = draw<uint64_t>(0, 1000000);
  const size_t B = draw<size_t>(1, 300);
  omp_set_num_threads(draw<int>(1, 3));
  TokenBatch whole, one;
  sampler.sample(first, B, whole);
  omp_set_num_threads(omp_get_num_procs());
  RC_ASSERT(whole.size() == B);
  for (size_t b = 0; b < B; ++b) {
    sampler.sample(first + b, 1, one);
    RC_ASSERT(
        std::equal(one.tokens.begin(), one.tokens.end(), whole.set(b).begin(), whole.set(b).end()));
  }
}

// Sets of one or two Zipf(s) tokens drawn without replacement: {a} has probability w_a / W and
// {a, b} probability w_a w_b / W (1 / (W - w_a) + 1 / (W - w_b)), with w_t = (t + 1)^-s and W their
// sum. Each set's count must lie within 5 standard deviations of n P (plus one count).
RC_GTEST_PROP(Task, zipf_sets_follow_their_distribution, ()) {
  const size_t k = draw<size_t>(1, 2);
  const size_t V = draw<size_t>(k + 1, 6);
  const double s = *rc::gen::element(0.5, 1.0, 2.0);
  const TaskSampler sampler({V, k, 0, s}, *rc::gen::arbitrary<uint64_t>());
  constexpr size_t n = 20000;
  TokenBatch batch;
  sampler.sample(0, n, batch);
  std::vector<double> w(V);
  double W = 0;
  for (size_t t = 0; t < V; ++t) W += w[t] = std::pow(t + 1.0, -s);
  std::vector<size_t> counts(V * V, 0);  // set {a} at a * V + a, {a < b} at a * V + b
  for (size_t b = 0; b < n; ++b) {
    const auto S = batch.set(b);
    ++counts[S.front() * V + S.back()];
  }
  for (size_t a = 0; a < V; ++a) {
    for (size_t c = a; c < V; ++c) {
      if ((k == 1) != (a == c)) continue;
      const double p = k == 1 ? w[a] / W : w[a] * w[c] / W * (1 / (W - w[a]) + 1 / (W - w[c]));
      const double sigma = std::sqrt(n * p * (1 - p));
      RC_ASSERT(std::abs(static_cast<double>(counts[a * V + c]) - n * p) <= 5 * sigma + 1);
    }
  }
}

// Without replacement: drawing every token of the vocabulary gives each exactly once, whatever
// the skew.
RC_GTEST_PROP(Task, zipf_sets_of_the_whole_vocabulary_hold_every_token, ()) {
  const size_t V = draw<size_t>(1, 200);
  const TaskSampler sampler({V, V, 0, *rc::gen::element(0.5, 3.0, 8.0)},
                            *rc::gen::arbitrary<uint64_t>());
  TokenBatch batch;
  sampler.sample(0, 3, batch);
  for (size_t b = 0; b < 3; ++b) {
    const auto S = batch.set(b);
    for (size_t t = 0; t < V; ++t) RC_ASSERT(S[t] == t);
  }
}

RC_GTEST_PROP(Task, set_sizes_are_uniform_over_the_range, ()) {
  const size_t k = draw<size_t>(1, 5), k_max = k + draw<size_t>(1, 5);
  const TaskSampler sampler({100, k, k_max, 0.0}, *rc::gen::arbitrary<uint64_t>());
  constexpr size_t n = 12000;
  TokenBatch batch;
  sampler.sample(0, n, batch);
  std::vector<size_t> counts(k_max + 1, 0);
  for (size_t b = 0; b < n; ++b) ++counts[batch.set(b).size()];
  const double p = 1.0 / static_cast<double>(k_max - k + 1);
  for (size_t size = k; size <= k_max; ++size) {
    RC_ASSERT(std::abs(static_cast<double>(counts[size]) - n * p) <=
              5 * std::sqrt(n * p * (1 - p)));
  }
}

TEST(Task, refuses_impossible_configurations) {
  EXPECT_THROW(TaskSampler({10, 11}, 0), Error);
  EXPECT_THROW(TaskSampler({10, 0}, 0), Error);
  EXPECT_THROW(TaskSampler({10, 4, 3}, 0), Error);
  EXPECT_THROW(TaskSampler({10, 4, 11}, 0), Error);
  EXPECT_THROW(TaskSampler({10, 4, 0, -0.5}, 0), Error);
  EXPECT_THROW(TaskSampler({10, 4, 0, INFINITY}, 0), Error);
}

}  // namespace
}  // namespace bloomnet
