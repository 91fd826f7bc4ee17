// A training run end to end (training_run.hpp): its evaluation schedule, its log, and a run
// stopped at any step and resumed from its checkpoint ending exactly as the run never stopped,
// log and running loss included; damaged bookkeeping in a checkpoint is refused by name.
#include <algorithm>
#include <set>

#include "bloomnet/error.hpp"
#include "bloomnet/training_run.hpp"
#include "bloomnet/weights_io.hpp"
#include "generators.hpp"
#include "scratch.hpp"

namespace bloomnet {
namespace {

using prop::draw;

TrainingRunConfig draw_run_config(const std::filesystem::path& dir) {
  TrainingRunConfig c;
  c.train.task.V = draw<size_t>(8, 300);
  c.train.task.k = draw<size_t>(1, 4);
  c.train.d = draw<size_t>(1, 40);
  c.train.loss =
      *rc::gen::element(LossSchedule::kCrossEntropy, LossSchedule::kMse, LossSchedule::kCeToMse);
  c.train.schedule = *rc::gen::element(Schedule::kConstant, Schedule::kCosine);
  c.train.batch = draw<size_t>(1, 32);
  c.train.steps = draw<size_t>(2, 24);
  c.train.seed = *rc::gen::arbitrary<uint64_t>();
  c.eval_every = draw<size_t>(0, 10);
  c.eval_at = {draw<size_t>(1, c.train.steps)};
  c.eval_sets = draw<size_t>(1, 64);
  c.eval_seed = draw<uint64_t>(0, 5);
  c.log = dir / "log.csv";
  c.checkpoint = dir / "run.ckpt";
  c.out = dir / "net.safetensors";
  return c;
}

// Log rows after every eval_every-th step, after the steps of eval_at, and after the last step.
RC_GTEST_PROP(TrainingRun, evaluates_on_its_schedule_and_logs_each_evaluation, ()) {
  scratch::ScratchDir dir;
  const TrainingRunConfig config = draw_run_config(dir.path());
  TrainingRun run(config);
  size_t evaluations = 0;
  RC_ASSERT(run.run([&](const TrainingRun::Step& step) {
    evaluations += step.evaluated != nullptr;
    return false;
  }));
  std::set<size_t> expected(config.eval_at.begin(), config.eval_at.end());
  for (size_t s = 1; s <= config.train.steps; ++s) {
    if (config.eval_every != 0 && s % config.eval_every == 0) expected.insert(s);
  }
  expected.insert(config.train.steps);
  std::vector<size_t> logged;
  for (const LogRow& row : run.log()) logged.push_back(row.step);
  RC_ASSERT(logged == std::vector<size_t>(expected.begin(), expected.end()));
  RC_ASSERT(evaluations == logged.size());
  // The final row's metrics are the run's final metrics, and the files hold the run.
  const Metrics last = run.log().back().metrics;
  RC_ASSERT(run.final_metrics().mse == last.mse);
  RC_ASSERT(log_csv(parse_log_csv(scratch::read_file(config.log), "log")) == log_csv(run.log()));
  RC_ASSERT(load_weights(config.out).net == run.net());
}

RC_GTEST_PROP(TrainingRun, a_stopped_and_resumed_run_equals_the_uninterrupted_one, ()) {
  scratch::ScratchDir dir;
  const TrainingRunConfig config = draw_run_config(dir.path());
  TrainingRun whole(config);
  whole.run();
  const std::vector<LogRow> whole_log = whole.log();
  const Metrics whole_final = whole.final_metrics();

  const size_t stop_at = draw<size_t>(1, config.train.steps - 1);
  TrainingRun first(config);
  RC_ASSERT(!first.run([&](const TrainingRun::Step&) { return first.steps_done() == stop_at; }));
  RC_ASSERT(std::filesystem::exists(config.checkpoint));
  TrainingRun resumed = TrainingRun::resume(config.checkpoint, config);
  RC_ASSERT(resumed.steps_done() == stop_at);
  RC_ASSERT(resumed.run());
  RC_ASSERT(resumed.net() == whole.net());
  RC_ASSERT(resumed.final_metrics().mse == whole_final.mse);
  // The log as the file holds it (9 digits), training losses of the rows that straddle the stop
  // included: the running loss crosses the checkpoint with all 17 digits.
  RC_ASSERT(resumed.log().size() == whole_log.size());
  for (size_t i = 0; i < whole_log.size(); ++i) {
    RC_ASSERT(resumed.log()[i].step == whole_log[i].step);
    RC_ASSERT(std::abs(resumed.log()[i].train_loss - whole_log[i].train_loss) <=
              1e-8 * std::abs(whole_log[i].train_loss));
    RC_ASSERT(std::abs(resumed.log()[i].metrics.mse - whole_log[i].metrics.mse) <=
              1e-8 * whole_log[i].metrics.mse);
  }
}

TEST(TrainingRun, damaged_bookkeeping_in_a_checkpoint_is_refused_by_name) {
  scratch::ScratchDir dir;
  TrainingRunConfig config{.train = {.task = {64, 3}, .d = 8, .batch = 4, .steps = 6},
                           .eval_every = 2,
                           .eval_sets = 16,
                           .checkpoint = dir.path() / "run.ckpt"};
  TrainingRun run(config);
  ASSERT_FALSE(run.run([&](const TrainingRun::Step&) { return run.steps_done() == 3; }));
  EXPECT_NO_THROW(TrainingRun::resume(config.checkpoint, config));
  const WeightsFile file = load_weights(config.checkpoint);
  const std::string log_past_the_steps_done =
      "step,loss,lr,train_loss,mse,ce,topk_exact,false_positives_mean,recall,fpr_measured,"
      "seconds\n9,ce,0.01,1,1,1,0,0,0,0,0.1\n";
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"loss_count", "1e300"},
                                   {"loss_count", "2.5"},
                                   {"loss_count", "4"},
                                   {"loss_sum", "inf"},
                                   {"loss_sum", "ten"},
                                   {"seconds", "-1"},
                                   {"seconds", "ten"},
                                   {"log", "step,loss\n1,ce\n"},
                                   {"log", log_past_the_steps_done}}) {
    Metadata metadata = file.metadata;
    metadata[key] = value;
    const auto damaged = dir.path() / "damaged.ckpt";
    save_weights(damaged, file.net, metadata, file.extra);
    try {
      TrainingRun::resume(damaged, config);
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

TEST(TrainingRun, refuses_no_evaluation_sets_and_unwritable_outputs_before_training) {
  scratch::ScratchDir dir;
  TrainingRunConfig config{.train = {.task = {64, 3}, .d = 8, .steps = 2}, .eval_sets = 0};
  EXPECT_THROW(TrainingRun{config}, Error);
  config.eval_sets = 8;
  config.log = dir.path() / "missing" / "log.csv";
  EXPECT_THROW(TrainingRun{config}, Error);
  config.log.clear();
  config.out = "/dev/full";
  EXPECT_THROW(TrainingRun{config}, Error);
}

// A diverging run names its step and where its last checkpoint is.
TEST(TrainingRun, divergence_names_the_last_good_checkpoint) {
  scratch::ScratchDir dir;
  TrainingRunConfig config{.train = {.task = {64, 3}, .d = 8, .lr = 1e30, .batch = 4, .steps = 50},
                           .eval_sets = 8,
                           .checkpoint = dir.path() / "run.ckpt",
                           .checkpoint_every = 1};
  TrainingRun run(config);
  try {
    run.run();
    FAIL() << "a learning rate of 1e30 did not diverge";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("diverged at step"), std::string::npos) << message;
    EXPECT_NE(message.find("the last good checkpoint is " + config.checkpoint.string()),
              std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace bloomnet
