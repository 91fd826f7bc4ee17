// train/step/<kernels>/threads:<n>: one full training step (sample, forward, cross-entropy
// gradient, backward, Adam) at the configurations of the training issue, with the scalar
// references and the best SIMD kernels, on 1 and 2 threads.
// Every step's GFLOP/s is also printed as a share of the FMA peak those kernels reach on this
// machine (counter peak_share; peak.hpp, measured once at start, as peak_bench does), and each
// phase's ms per step timed inside those steps (counters phase_ms/<phase>; trainer.hpp).
// GFLOP/s counts 6 B d V flops per step: the three dense products (forward logits, the output
// weights' gradient, the gradient reaching the hidden layer).
// train/dense/<product>/<kernels>/threads:<n>: each of those products alone (2 B d V flops), split
// among threads by the library's own partition (network.hpp), with its share of the peak.
// train/part/<loss|optimizer>/<kernels>/threads:<n>: the step's other two passes alone; with the
// products they show where a step's time goes and what its share of the peak can be.
// The SIMD rows run kRepetitions times: bench/render.py reports the median and the fastest, so a
// noisy neighbour shows as a gap between the two (the scalar steps run once: seconds each).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bloomnet/loss.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/optimizer.hpp"
#include "bloomnet/task.hpp"
#include "bloomnet/trainer.hpp"
#include "peak.hpp"
#include "register.hpp"

namespace bloomnet {
namespace {

// Measured per (kernels, threads) before the training benchmarks run.
std::map<std::pair<std::string, int>, double> peak_gflops;

constexpr int kRepetitions = 5;

// The training configuration of a benchmark with arguments (V, k, d, B).
TrainConfig step_config(const benchmark::State& state) {
  TrainConfig config;
  config.task = {static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1))};
  config.d = static_cast<size_t>(state.range(2));
  config.batch = static_cast<size_t>(state.range(3));
  return config;
}

void BM_train_step(benchmark::State& state, const KernelSet* kernels, int threads) {
  TrainConfig config = step_config(state);
  config.steps = size_t{1} << 40;  // never finishes inside the benchmark
  omp_set_num_threads(threads);
  Trainer trainer(config, *kernels);
  trainer.step();  // first-touch of every buffer outside the timing
  const StepPhaseSeconds before = trainer.phase_seconds();
  const double start = omp_get_wtime();
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step().loss);
  const double seconds = omp_get_wtime() - start;
  // Each phase's ms per step, timed inside these steps (trainer.hpp).
  const StepPhaseSeconds& after = trainer.phase_seconds();
  for (const auto& [name, phase] : kStepPhases) {
    state.counters[std::string("phase_ms/") + name] =
        (after.*phase - before.*phase) * 1e3 / static_cast<double>(state.iterations());
  }
  // Right after the timing: where the host had the two vCPUs then (peak.hpp).
  if (threads == 2) state.counters["round_trip_ns"] = bench::measure_core_round_trip_ns();
  const double flops = 6.0 * static_cast<double>(config.batch * config.d * config.task.V);
  const double steps = static_cast<double>(state.iterations());
  const double gflops = flops * steps / seconds * 1e-9;
  state.counters["steps/s"] = steps / seconds;
  state.counters["GFLOP/s"] = gflops;
  const auto peak = peak_gflops.find({kernels->name, threads});
  if (peak != peak_gflops.end()) state.counters["peak_share"] = gflops / peak->second;
}

enum class Product { kLogits, kWeightGradient, kHiddenGradient };

void BM_dense_product(benchmark::State& state, const KernelSet* kernels, int threads,
                      Product product) {
  const auto V = static_cast<size_t>(state.range(0));
  const auto d = static_cast<size_t>(state.range(1));
  const auto B = static_cast<size_t>(state.range(2));
  // Values do not change the work; these keep every number finite.
  std::vector<float> hidden(B * d, 0.5f), hidden_t(d * B, 0.5f), W_outT(d * V, 0.01f),
      b_out(V, 0.0f), z(B * V, 0.001f), dW_outT(d * V), db_out(V), dhidden(B * d);
  // Split among the threads exactly as forward() and backward() split it (network.hpp's
  // partition).
  auto run = [&] {
#pragma omp parallel num_threads(threads)
    switch (product) {
      case Product::kLogits:
        partition::output_forward(*kernels, hidden.data(), W_outT.data(), b_out.data(), B, d, V,
                                  z.data());
        break;
      case Product::kWeightGradient:
        partition::output_weight_gradient(*kernels, hidden_t.data(), z.data(), B, d, V,
                                          dW_outT.data(), db_out.data());
        break;
      case Product::kHiddenGradient:
        partition::hidden_gradient(*kernels, Activation::kRelu, z.data(), W_outT.data(),
                                   hidden.data(), B, d, V, dhidden.data());
        break;
    }
  };
  run();
  const double start = omp_get_wtime();
  for (auto _ : state) run();
  const double gflops = 2.0 * static_cast<double>(B * d * V) *
                        static_cast<double>(state.iterations()) / (omp_get_wtime() - start) * 1e-9;
  state.counters["GFLOP/s"] = gflops;
  const auto peak = peak_gflops.find({kernels->name, threads});
  if (peak != peak_gflops.end()) state.counters["peak_share"] = gflops / peak->second;
}

enum class Part { kLoss, kOptimizer };

// The step's two passes that are not products, alone, as the step calls them: the softmax with
// the cross-entropy and its gradient over B x V, and Adam over all 2 V d (+ V + d) parameters.
// Adam moves 28 bytes a parameter (gradient, weight and two moments read; weight and moments
// written): its counter GB/s compares with the streaming triad of peak_bench.
void BM_step_part(benchmark::State& state, const KernelSet* kernels, int threads, Part part) {
  const TrainConfig config = step_config(state);
  omp_set_num_threads(threads);
  Network net = Trainer(config, *kernels).net();  // the step's initial weights
  TokenBatch batch;
  TaskSampler(config.task, config.seed, Purpose::kTrainSet).sample(0, config.batch, batch);
  Activations act;
  forward_logits(net, batch, act, *kernels);
  Network grad(net.V(), net.d());
  std::fill(grad.params().begin(), grad.params().end(), 1e-3f);
  Optimizer optimizer(config.optimizer, net.params().size());
  auto run = [&] {
    if (part == Part::kLoss) {
      // As the step runs it, over the logits: from the second run on it takes the softmax of the
      // last run's gradient, the same work.
      benchmark::DoNotOptimize(softmax_cross_entropy_in_place(batch, act, *kernels));
    } else {
      optimizer.step(config.lr, grad.params(), net.params(), *kernels);
    }
  };
  run();  // first touch outside the timing
  const double start = omp_get_wtime();
  for (auto _ : state) run();
  const double seconds = (omp_get_wtime() - start) / static_cast<double>(state.iterations());
  if (part == Part::kOptimizer) {
    state.counters["GB/s"] = 28.0 * static_cast<double>(net.params().size()) / seconds * 1e-9;
  }
}

}  // namespace

void bench::register_benchmarks() {
  const KernelSet* simd = &simd_kernels();
  for (const KernelSet* kernels : {&scalar_kernels(), simd}) {
    for (int threads : {1, 2}) {
      const std::string suffix = std::string(kernels->name) + "/threads:" + std::to_string(threads);
      if (kernels == simd) {
        // The best of five: a busy neighbour only lowers a peak.
        double& peak = peak_gflops[{kernels->name, threads}];
        for (int round = 0; round < 5; ++round) {
          peak = std::max(peak, bench::measure_peak_gflops(*kernels, threads));
        }
        for (const auto& [name, product] :
             {std::pair{"logits", Product::kLogits},
              std::pair{"weight_gradient", Product::kWeightGradient},
              std::pair{"hidden_gradient", Product::kHiddenGradient}}) {
          benchmark::RegisterBenchmark(("train/dense/" + std::string(name) + "/" + suffix).c_str(),
                                       BM_dense_product, kernels, threads, product)
              ->ArgNames({"V", "d", "B"})
              ->Args({1024, 64, 256})
              ->Args({4096, 128, 256})
              ->Args({16384, 256, 512})
              ->Repetitions(kRepetitions)
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime();
        }
      }
      if (kernels == simd) {
        for (const auto& [name, part] :
             {std::pair{"loss", Part::kLoss}, std::pair{"optimizer", Part::kOptimizer}}) {
          benchmark::RegisterBenchmark(("train/part/" + std::string(name) + "/" + suffix).c_str(),
                                       BM_step_part, kernels, threads, part)
              ->ArgNames({"V", "k", "d", "B"})
              ->Args({1024, 4, 64, 256})
              ->Args({4096, 8, 128, 256})
              ->Args({16384, 8, 256, 512})
              ->Repetitions(kRepetitions)
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime();
        }
      }
      auto* b = benchmark::RegisterBenchmark(("train/step/" + suffix).c_str(), BM_train_step,
                                             kernels, threads);
      b->ArgNames({"V", "k", "d", "B"})->Unit(benchmark::kMillisecond)->UseRealTime();
      b->Args({1024, 4, 64, 256})->Args({4096, 8, 128, 256});
      // The scalar references take seconds per step at the largest size: a few steps suffice.
      if (kernels == simd) {
        b->Args({16384, 8, 256, 512})->Repetitions(kRepetitions);
      } else {
        b->Args({16384, 8, 256, 512})->Iterations(2);
      }
    }
  }
}

}  // namespace bloomnet
