#include "bloomnet/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>

#include "bloomnet/error.hpp"
#include "bloomnet/loss.hpp"
#include "bloomnet/parse.hpp"
#include "bloomnet/random.hpp"
#include "bloomnet/resources.hpp"

namespace bloomnet {
namespace {

using nlohmann::json;

// Eighteen digits, as checkpoints have always been read: steps times batch stays within 64 bits
// for any batch a machine can hold.
constexpr uint64_t kMaxCheckpointCount = 999'999'999'999'999'999;

// Row r of tensor `tensor`: n values uniform in [-bound, bound] from the row's own counter stream.
std::vector<float> initial_row(uint64_t seed, uint64_t tensor, size_t row, size_t n, double bound) {
  CounterRng rng(seed, Purpose::kInit, (tensor << 40) + row);
  std::vector<float> values(n);
  for (float& w : values) w = static_cast<float>(bound * (2.0 * rng.unit() - 1.0));
  return values;
}

// Validates the configuration first: nothing is allocated for a run that cannot be.
Network initialized_network(const TrainConfig& config) {
  validate(config);
  const size_t V = config.task.V, d = config.d;
  Network net(V, d, config.activation);
  const double in_bound = 1.0 / std::sqrt(static_cast<double>(V));
  const double out_bound = 1.0 / std::sqrt(static_cast<double>(d));
  for (size_t t = 0; t < V; ++t) {
    const std::vector<float> w_in = initial_row(config.seed, 0, t, d, in_bound);
    std::copy(w_in.begin(), w_in.end(), net.W_in().begin() + static_cast<long>(t * d));
    const std::vector<float> w_out = initial_row(config.seed, 2, t, d, out_bound);
    for (size_t j = 0; j < d; ++j) net.set_W_out(t, j, w_out[j]);
  }
  const std::vector<float> b_in = initial_row(config.seed, 1, 0, d, in_bound);
  std::copy(b_in.begin(), b_in.end(), net.b_in().begin());
  const std::vector<float> b_out = initial_row(config.seed, 3, 0, V, out_bound);
  std::copy(b_out.begin(), b_out.end(), net.b_out().begin());
  return net;
}

// Laps of a steady clock: each adds the time since the one before to a phase's total.
class PhaseClock {
 public:
  void lap(double& phase_seconds) {
    const Clock::time_point now = Clock::now();
    phase_seconds += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_ = Clock::now();
};

}  // namespace

double StepPhaseSeconds::total() const {
  double seconds = 0;
  for (const auto& [name, phase] : kStepPhases) seconds += this->*phase;
  return seconds;
}

LossKind TrainConfig::loss_at(size_t s) const {
  switch (loss) {
    case LossSchedule::kCrossEntropy:
      return LossKind::kCrossEntropy;
    case LossSchedule::kMse:
      return LossKind::kMse;
    case LossSchedule::kCeToMse:
      return s < steps / 2 ? LossKind::kCrossEntropy : LossKind::kMse;
  }
  return LossKind::kCrossEntropy;
}

void validate(const TrainConfig& config) {
  // Weights, gradients and two optimizer moments (4 x 2 V d floats), and per batch the logits,
  // probabilities and their gradient (3 B V floats): refused before the OOM killer sees them,
  // and first, so an impossible size is reported with the memory it would need.
  const auto V = static_cast<double>(config.task.V), d = static_cast<double>(config.d);
  require_memory((8 * V * d + 3 * static_cast<double>(config.batch) * V) * sizeof(float),
                 "training with V = " + std::to_string(config.task.V) + ", d = " +
                     std::to_string(config.d) + " and batch " + std::to_string(config.batch));
  [[maybe_unused]] const TaskSampler sampler(config.task, 0);  // checks V, k, k_max and Zipf
  require(config.d >= 1, "the hidden layer needs at least one neuron (width 0)");
  require(std::isfinite(config.lr) && config.lr > 0,
          "the learning rate must be a positive number (got " + std::to_string(config.lr) + ")");
  require(config.batch >= 1, "a batch needs at least one set (batch 0)");
  require(config.steps >= 1, "training needs at least one step (steps 0)");
  [[maybe_unused]] const Optimizer optimizer(config.optimizer, 0);  // checks betas, eps, decay
}

std::string to_json(const TrainConfig& c) {
  const json out = {{"V", c.task.V},
                    {"k", c.task.k},
                    {"k_max", c.task.largest_set()},
                    {"zipf", c.task.zipf},
                    {"d", c.d},
                    {"activation", to_string(c.activation)},
                    {"loss", to_string(c.loss)},
                    {"optimizer", to_string(c.optimizer.kind)},
                    {"beta1", c.optimizer.beta1},
                    {"beta2", c.optimizer.beta2},
                    {"eps", c.optimizer.eps},
                    {"weight_decay", c.optimizer.weight_decay},
                    {"momentum", c.optimizer.momentum},
                    {"lr", c.lr},
                    {"schedule", to_string(c.schedule)},
                    {"batch", c.batch},
                    {"steps", c.steps},
                    {"seed", c.seed},
                    {"init", "pytorch-linear"}};
  return out.dump();
}

TrainConfig train_config_from_json(const std::string& text) {
  // nlohmann converts any number to any arithmetic type, out of range included (undefined
  // behaviour, found by fuzz_options): counts must be JSON unsigned integers.
  auto count = [](const json& in, const char* key) {
    const json& value = in.at(key);
    require(value.is_number_unsigned(), std::string("training configuration is not valid: '") +
                                            key + "' = " + value.dump() +
                                            " is not a non-negative integer");
    return value.get<uint64_t>();
  };
  try {
    const json in = json::parse(text);
    TrainConfig c;
    c.task.V = count(in, "V");
    c.task.k = count(in, "k");
    c.task.k_max = count(in, "k_max");
    c.task.zipf = in.at("zipf").get<double>();
    c.d = count(in, "d");
    // Files from before the linear network have no activation: they are ReLU networks.
    c.activation = in.contains("activation")
                       ? from_string<Activation>(in.at("activation").get<std::string>())
                       : Activation::kRelu;
    c.loss = from_string<LossSchedule>(in.at("loss").get<std::string>());
    c.optimizer.kind = from_string<OptimizerKind>(in.at("optimizer").get<std::string>());
    c.optimizer.beta1 = in.at("beta1").get<double>();
    c.optimizer.beta2 = in.at("beta2").get<double>();
    c.optimizer.eps = in.at("eps").get<double>();
    c.optimizer.weight_decay = in.at("weight_decay").get<double>();
    c.optimizer.momentum = in.at("momentum").get<double>();
    c.lr = in.at("lr").get<double>();
    c.schedule = from_string<Schedule>(in.at("schedule").get<std::string>());
    c.batch = count(in, "batch");
    c.steps = count(in, "steps");
    c.seed = count(in, "seed");
    return c;
  } catch (const json::exception& e) {
    throw Error(std::string("training configuration is not valid: ") + e.what());
  }
}

Trainer::Trainer(const TrainConfig& config, const KernelSet& kernels)
    : Trainer(config, kernels, initialized_network(config)) {}

Trainer::Trainer(const TrainConfig& config, const KernelSet& kernels, Network net)
    : config_(config),
      kernels_(&kernels),
      sampler_(config.task, config.seed, Purpose::kTrainSet),
      net_(std::move(net)),
      grad_(net_.V(), net_.d()),
      optimizer_(config.optimizer, net_.params().size()) {}

StepReport Trainer::step() {
  require(!finished(), "the run has finished all " + std::to_string(config_.steps) + " steps");
  PhaseClock clock;
  const StepReport report{
      .step = step_,
      .lr = scheduled_learning_rate(config_.schedule, config_.lr, step_, config_.steps),
      .loss_kind = config_.loss_at(step_),
      .loss = 0};
  sampler_.sample(static_cast<uint64_t>(step_) * config_.batch, config_.batch, batch_);
  clock.lap(phase_seconds_.sample);
  // Cross-entropy needs no probabilities: the softmax is taken inside the loss, one pass fewer
  // over B x V, and the gradient replaces the logits (the same bits).
  double loss = 0.0;
  std::span<const float> dz;
  if (report.loss_kind == LossKind::kCrossEntropy) {
    forward_logits(net_, batch_, act_, *kernels_);
    clock.lap(phase_seconds_.forward);
    loss = softmax_cross_entropy_in_place(batch_, act_, *kernels_);
    dz = act_.z;
  } else {
    forward(net_, batch_, act_, *kernels_);
    clock.lap(phase_seconds_.forward);
    loss = loss_gradient(report.loss_kind, batch_, act_, dz_, *kernels_);
    dz = dz_;
  }
  clock.lap(phase_seconds_.loss);
  if (!std::isfinite(loss)) {
    throw Error("training diverged at step " + std::to_string(step_) + ": the " +
                to_string(report.loss_kind) + " loss is " +
                (std::isnan(loss) ? "NaN" : "infinite") + " (try a smaller learning rate)");
  }
  // grad_'s W_in is zero between steps: its rows are cleared after each step (those of the
  // batch's tokens, a fraction of V when V is large) rather than all V x d before the next.
  backward(net_, batch_, act_, dz, grad_, scratch_, *kernels_, InputGradientBuffer::kZero);
  clock.lap(phase_seconds_.backward);
  optimizer_.step(report.lr, grad_.params(), net_.params(), *kernels_);
  clock.lap(phase_seconds_.optimizer);
  const size_t d = grad_.d();
  for (uint32_t t : batch_.tokens) {
    std::fill_n(grad_.W_in().begin() + static_cast<long>(t * d), d, 0.0f);
  }
  clock.lap(phase_seconds_.clear);
  ++step_;
  StepReport out = report;
  out.loss = loss;
  return out;
}

Metadata Trainer::trained_metadata() const {
  return {{"kind", "trained"}, {"config", to_json(config_)}, {"steps", std::to_string(step_)}};
}

void Trainer::save_checkpoint(const std::filesystem::path& path, const Metadata& metadata) const {
  Metadata meta = metadata;
  meta["kind"] = "checkpoint";
  meta["config"] = to_json(config_);
  meta["steps"] = std::to_string(step_);
  // The sampler's position: step s draws training sets s B .. s B + B - 1.
  meta["sets_drawn"] = std::to_string(step_ * config_.batch);
  const ExtraTensors state = {
      {"optimizer.m", {optimizer_.first_moment().begin(), optimizer_.first_moment().end()}},
      {"optimizer.v", {optimizer_.second_moment().begin(), optimizer_.second_moment().end()}}};
  save_weights(path, net_, meta, state);
}

Trainer Trainer::resume(const std::filesystem::path& checkpoint, const TrainConfig& config,
                        Metadata* metadata, const KernelSet& kernels) {
  validate(config);
  WeightsFile file = load_weights(checkpoint);
  const std::string source = checkpoint.string();
  const auto kind = file.metadata.find("kind");
  require(kind != file.metadata.end() && kind->second == "checkpoint",
          source + " is not a training checkpoint (no kind = checkpoint in its metadata)");
  const auto config_text = file.metadata.find("config");
  require(config_text != file.metadata.end(), source + " has no training configuration");
  const json saved = json::parse(to_json(train_config_from_json(config_text->second)));
  const json wanted = json::parse(to_json(config));
  for (const auto& [key, value] : wanted.items()) {
    require(saved.at(key) == value, source + " was written by another configuration: " + key +
                                        " = " + saved.at(key).dump() + " there, " + value.dump() +
                                        " here");
  }
  auto count = [&](const char* key) -> size_t {
    const auto it = file.metadata.find(key);
    require(it != file.metadata.end(), source + " has no '" + key + "' in its metadata");
    // At most the steps or sets of any run (their product with the batch must not overflow).
    return parse_count(it->second, source + ": metadata '" + key + "'", kMaxCheckpointCount);
  };
  const size_t steps = count("steps");
  const size_t sets_drawn = count("sets_drawn");
  require(steps <= config.steps && sets_drawn == steps * config.batch,
          source + ": " + std::to_string(steps) + " steps and " + std::to_string(sets_drawn) +
              " sets drawn do not fit a run of " + std::to_string(config.steps) +
              " steps of batch " + std::to_string(config.batch));
  require(file.net.V() == config.task.V && file.net.d() == config.d,
          source + ": its tensors hold a network of V = " + std::to_string(file.net.V()) +
              ", d = " + std::to_string(file.net.d()) + ", not the configuration's");
  Trainer trainer(config, kernels, std::move(file.net));
  const auto m = file.extra.find("optimizer.m");
  const auto v = file.extra.find("optimizer.v");
  require(m != file.extra.end() && v != file.extra.end(),
          source + " lacks the optimizer state (optimizer.m, optimizer.v)");
  try {
    trainer.optimizer_.restore(steps, m->second, v->second);
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  trainer.step_ = steps;
  if (metadata != nullptr) *metadata = std::move(file.metadata);
  return trainer;
}

}  // namespace bloomnet
