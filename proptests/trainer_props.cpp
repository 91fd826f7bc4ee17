// The trainer: determinism across thread counts, stop-and-resume equal to an uninterrupted run,
// trained files that reload bit-exact, configurations that survive their JSON form, a small
// seeded run that learns, and the phases' times inside the steps.
#include <omp.h>

#include <chrono>

#include "bloomnet/error.hpp"
#include "bloomnet/loss.hpp"
#include "bloomnet/metrics.hpp"
#include "bloomnet/trainer.hpp"
#include "generators.hpp"
#include "scratch.hpp"

namespace bloomnet {
namespace {

using prop::draw;

// A small configuration; large enough in some draws that forward and backward run in parallel.
TrainConfig draw_config() {
  TrainConfig c;
  c.task.V = draw<size_t>(2, 600);
  c.task.k = draw<size_t>(1, std::min<size_t>(c.task.V, 6));
  if (*rc::gen::arbitrary<bool>())
    c.task.k_max = draw<size_t>(c.task.k, std::min<size_t>(c.task.V, 8));
  if (*rc::gen::arbitrary<bool>()) c.task.zipf = *rc::gen::element(0.5, 1.0, 1.5);
  c.d = draw<size_t>(1, 96);
  c.loss =
      *rc::gen::element(LossSchedule::kCrossEntropy, LossSchedule::kMse, LossSchedule::kCeToMse);
  c.optimizer.kind =
      *rc::gen::element(OptimizerKind::kAdam, OptimizerKind::kAdamW, OptimizerKind::kSgd);
  c.lr = *rc::gen::element(1e-3, 1e-2, 0.1);
  c.schedule = *rc::gen::element(Schedule::kConstant, Schedule::kCosine);
  c.batch = draw<size_t>(1, 64);
  c.steps = draw<size_t>(2, 8);
  c.seed = *rc::gen::arbitrary<uint64_t>();
  return c;
}

struct Run {
  std::vector<float> params;
  std::vector<double> losses;
  bool operator==(const Run& other) const {
    return prop::same_bits(params, other.params) && losses == other.losses;
  }
};

Run train_with_threads(const TrainConfig& config, int threads) {
  omp_set_num_threads(threads);
  Trainer trainer(config);
  Run run;
  while (!trainer.finished()) run.losses.push_back(trainer.step().loss);
  run.params.assign(trainer.net().params().begin(), trainer.net().params().end());
  return run;
}

RC_GTEST_PROP(Trainer, weights_and_losses_do_not_depend_on_the_thread_count, ()) {
  const TrainConfig config = draw_config();
  const Run one = train_with_threads(config, 1);
  const Run two = train_with_threads(config, 2);
  const Run three = train_with_threads(config, 3);
  omp_set_num_threads(omp_get_num_procs());
  RC_ASSERT(one == two);
  RC_ASSERT(one == three);
}

// The trainer's shortcuts (the cross-entropy taken from the logits without stored
// probabilities; W_in's gradient buffer kept zero by clearing the batch's rows) change no bit:
// its steps equal the library's pieces run one by one in their plain form.
RC_GTEST_PROP(Trainer, steps_equal_forward_loss_backward_and_optimizer_by_hand, ()) {
  const TrainConfig config = draw_config();
  Trainer trainer(config);
  Network net = trainer.net();
  Network grad(net.V(), net.d(), net.activation());
  Optimizer optimizer(config.optimizer, net.params().size());
  const TaskSampler sampler(config.task, config.seed, Purpose::kTrainSet);
  TokenBatch batch;
  Activations act;
  std::vector<float> dz;
  BackwardScratch scratch;
  for (size_t s = 0; s < config.steps; ++s) {
    sampler.sample(s * config.batch, config.batch, batch);
    forward(net, batch, act);
    const double loss = loss_gradient(config.loss_at(s), batch, act, dz);
    backward(net, batch, act, dz, grad, scratch);
    optimizer.step(scheduled_learning_rate(config.schedule, config.lr, s, config.steps),
                   grad.params(), net.params(), simd_kernels());
    RC_ASSERT(trainer.step().loss == loss);
  }
  RC_ASSERT(trainer.net() == net);
}

RC_GTEST_PROP(Trainer, stop_and_resume_equals_the_uninterrupted_run, ()) {
  const TrainConfig config = draw_config();
  Trainer whole(config);
  while (!whole.finished()) whole.step();

  const size_t stop_at = draw<size_t>(1, config.steps - 1);
  scratch::ScratchDir dir;
  const auto checkpoint = dir.path() / "run.ckpt";
  {
    Trainer first(config);
    while (first.steps_done() < stop_at) first.step();
    first.save_checkpoint(checkpoint, {{"note", "kept"}});
  }
  Metadata metadata;
  Trainer resumed = Trainer::resume(checkpoint, config, &metadata);
  RC_ASSERT(resumed.steps_done() == stop_at);
  RC_ASSERT(metadata.at("note") == "kept");
  while (!resumed.finished()) resumed.step();
  RC_ASSERT(resumed.net() == whole.net());
}

// The phases are laps of one clock inside each step, none counted twice: together they take no
// longer than the steps around them, and every phase takes time at every step.
RC_GTEST_PROP(Trainer, phase_times_are_disjoint_parts_of_the_steps, ()) {
  const TrainConfig config = draw_config();
  Trainer trainer(config);
  RC_ASSERT(trainer.phase_seconds().total() == 0.0);
  const auto start = std::chrono::steady_clock::now();
  while (!trainer.finished()) trainer.step();
  const double steps_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const StepPhaseSeconds& phases = trainer.phase_seconds();
  for (const auto& [name, phase] : kStepPhases) {
    const double seconds = phases.*phase;  // RC_ASSERT's decomposition cannot take .*
    RC_ASSERT(seconds > 0.0);
  }
  RC_ASSERT(phases.total() <= steps_seconds);
}

RC_GTEST_PROP(Trainer, trained_file_reloads_bit_exact_with_its_configuration, ()) {
  const TrainConfig config = draw_config();
  Trainer trainer(config);
  trainer.step();
  scratch::ScratchDir dir;
  save_weights(dir.path() / "net.safetensors", trainer.net(), trainer.trained_metadata());
  const WeightsFile file = load_weights(dir.path() / "net.safetensors");
  RC_ASSERT(file.net == trainer.net());
  RC_ASSERT(file.metadata.at("kind") == "trained");
  RC_ASSERT(to_json(train_config_from_json(file.metadata.at("config"))) == to_json(config));
}

TEST(Trainer, resume_refuses_another_configuration_and_other_files) {
  scratch::ScratchDir dir;
  TrainConfig config{.task = {64, 3}, .d = 8, .batch = 4, .steps = 5};
  Trainer trainer(config);
  trainer.step();
  trainer.save_checkpoint(dir.path() / "run.ckpt");
  TrainConfig other = config;
  other.lr = 0.02;
  try {
    Trainer::resume(dir.path() / "run.ckpt", other);
    FAIL() << "resumed with another learning rate";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lr = 0.01 there, 0.02 here"), std::string::npos)
        << e.what();
  }
  save_weights(dir.path() / "plain.safetensors", trainer.net(), trainer.trained_metadata());
  EXPECT_THROW(Trainer::resume(dir.path() / "plain.safetensors", config), Error);
  // Tampered metadata: a step count that is not a count, or not the sampler's position.
  WeightsFile file = load_weights(dir.path() / "run.ckpt");
  for (const auto& [key, value] : {std::pair{"steps", "-1"}, std::pair{"steps", "2"},
                                   std::pair{"sets_drawn", "5"}, std::pair{"steps", "99"}}) {
    Metadata metadata = file.metadata;
    metadata[key] = value;
    save_weights(dir.path() / "tampered.ckpt", file.net, metadata, file.extra);
    EXPECT_THROW(Trainer::resume(dir.path() / "tampered.ckpt", config), Error) << key << value;
  }
}

TEST(Trainer, refuses_impossible_hyperparameters) {
  const TrainConfig good{.task = {64, 3}, .d = 8, .batch = 4, .steps = 5};
  EXPECT_NO_THROW(validate(good));
  auto refused = [&](auto change) {
    TrainConfig c = good;
    change(c);
    EXPECT_THROW(validate(c), Error);
  };
  refused([](TrainConfig& c) { c.lr = 0; });
  refused([](TrainConfig& c) { c.lr = -1; });
  refused([](TrainConfig& c) { c.lr = NAN; });
  refused([](TrainConfig& c) { c.batch = 0; });
  refused([](TrainConfig& c) { c.steps = 0; });
  refused([](TrainConfig& c) { c.d = 0; });
  refused([](TrainConfig& c) { c.task.k = 65; });
  refused([](TrainConfig& c) { c.task.k_max = 2; });
  refused([](TrainConfig& c) { c.task.zipf = -1; });
  refused([](TrainConfig& c) {  // 2^21 x 2^10 weights: 64 GiB with gradients and Adam's moments
    c.task.V = size_t{1} << 21;
    c.d = 1024;
  });
}

TEST(Trainer, divergence_stops_with_the_step_and_leaves_the_weights) {
  TrainConfig config{.task = {64, 3}, .d = 8, .lr = 1e30, .batch = 4, .steps = 50};
  Trainer trainer(config);
  try {
    while (!trainer.finished()) trainer.step();
    FAIL() << "a learning rate of 1e30 did not diverge";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("diverged at step"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(trainer.finished());
}

// Not timed: a seeded run of 300 steps must lower the held-out losses well below the start.
TEST(Trainer, small_seeded_run_lowers_the_held_out_loss) {
  const TrainConfig config{.task = {256, 3}, .d = 32, .lr = 0.01, .batch = 64, .steps = 300};
  Trainer trainer(config);
  const EvalConfig eval{.k = 3, .sets = 512};
  const Metrics before = evaluate(trainer.net(), eval);
  while (!trainer.finished()) trainer.step();
  const Metrics after = evaluate(trainer.net(), eval);
  EXPECT_LT(after.ce, 0.8 * before.ce);
  EXPECT_LT(after.mse, 0.8 * before.mse);
}

TEST(Trainer, configurations_with_out_of_range_counts_are_errors) {
  // fuzz_options found that a count beyond 64 bits (parsed by JSON as a float) reached an
  // undefined float-to-integer conversion.
  const std::string good = to_json(TrainConfig{.task = {64, 2}, .d = 8});
  EXPECT_NO_THROW(train_config_from_json(good));
  for (const std::string& bad : {std::string(R"("V":167777777777777777770)"),
                                 std::string(R"("V":-64)"), std::string(R"("V":64.5)")}) {
    std::string text = good;
    text.replace(text.find(R"("V":64)"), 6, bad);
    EXPECT_THROW(train_config_from_json(text), Error) << text;
  }
}

}  // namespace
}  // namespace bloomnet
