// The `bloomnet` program end to end: the issue's acceptance example and every bad input, which
// must give exit code 2 and exactly one line on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "scratch.hpp"

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code;
  std::string out, err;
};

using bloomnet::scratch::read_file;
using bloomnet::scratch::temporaries_of;

class Cli : public ::testing::Test {
 protected:
  CommandResult run(const std::string& args) {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command =
        std::string(BLOOMNET_CLI) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  }

  // Exit code 2 and one line on stderr that says what is wrong.
  void expect_clean_error(const std::string& args, const std::string& fragment) {
    const CommandResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("bloomnet: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << "stderr: " << r.err;
  }

  bloomnet::scratch::ScratchDir scratch_;
  const fs::path& dir_ = scratch_.path();
};

// A safetensors file's bytes with one metadata entry set to value (the header re-encoded, the
// data section as it was).
std::string with_metadata(const std::string& file, const std::string& key,
                          const std::string& value) {
  uint64_t length = 0;
  std::memcpy(&length, file.data(), 8);
  auto header = nlohmann::json::parse(file.substr(8, length));
  header["__metadata__"][key] = value;
  const std::string text = header.dump();
  const uint64_t new_length = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &new_length, 8);
  return out + text + file.substr(8 + length);
}

TEST_F(Cli, exact_net_has_recall_one_and_measured_fpr_consistent_with_theory) {
  const std::string net = (dir_ / "exact.safetensors").string();
  ASSERT_EQ(run("construct --vocab 5000 --width 256 --hashes 6 --out " + net).exit_code, 0);
  const CommandResult r = run("eval --weights " + net + " --k 16 --sets 2000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["recall"].get<double>(), 1.0);
  EXPECT_EQ(j["filter_agreement"].get<double>(), 1.0);
  // 2000 sets x 4984 non-members; the spread between filters dominates the binomial noise, so
  // the band is wide in relative terms, yet far narrower than the gap to a broken filter.
  const double measured = j["fpr_measured"], theory = j["fpr_theory_distinct"];
  EXPECT_NEAR(measured, theory, 0.1 * theory);
  EXPECT_NEAR(j["fpr_theory"].get<double>(), theory, 0.1 * theory);
  for (const char* key : {"mse", "ce", "topk_exact", "false_positives_mean"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
}

TEST_F(Cli, eval_output_does_not_depend_on_threads) {
  const std::string net = (dir_ / "u.safetensors").string();
  ASSERT_EQ(
      run("construct --vocab 3000 --width 128 --hashes 4 --form union --out " + net).exit_code, 0);
  const CommandResult one = run("eval --weights " + net + " --k 8 --sets 500 --threads 1");
  const CommandResult two = run("eval --weights " + net + " --k 8 --sets 500 --threads 2");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
}

TEST_F(Cli, bad_dimensions_are_clean_errors) {
  const std::string out = " --out " + (dir_ / "x.safetensors").string();
  expect_clean_error("construct --vocab 100 --width 4 --hashes 5" + out, "h <= m");
  expect_clean_error("construct --vocab 100 --width 0 --hashes 1" + out, "m = 0");
  expect_clean_error("construct --vocab 0 --width 8 --hashes 1" + out, "V = 0");
  expect_clean_error("construct --vocab 10 --width 8 --hashes 2 --form sideways" + out,
                     "unknown form");
  expect_clean_error("construct --vocab 10 --width 8 --hashes 2 --beta -1" + out, "beta");
  expect_clean_error("construct --vocab 10 --width 8 --hashes -2" + out, "--hashes");
  expect_clean_error("construct --vocab 400000 --width 100000 --hashes 3" + out, "GiB");
  EXPECT_FALSE(fs::exists(dir_ / "x.safetensors"));
}

TEST_F(Cli, bad_k_is_a_clean_error) {
  const std::string net = (dir_ / "n.safetensors").string();
  ASSERT_EQ(run("construct --vocab 10 --width 8 --hashes 2 --out " + net).exit_code, 0);
  expect_clean_error("eval --weights " + net + " --k 11", "k = 11");
  expect_clean_error("eval --weights " + net + " --k 0", "k = 0");
}

TEST_F(Cli, missing_truncated_and_corrupt_files_are_clean_errors) {
  const fs::path net = dir_ / "n.safetensors";
  ASSERT_EQ(run("construct --vocab 50 --width 16 --hashes 2 --out " + net.string()).exit_code, 0);
  expect_clean_error("eval --k 2 --weights " + (dir_ / "none").string(), "does not exist");

  const std::string bytes = read_file(net);
  const fs::path truncated = dir_ / "truncated.safetensors";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  expect_clean_error("eval --k 2 --weights " + truncated.string(), "truncated");

  const fs::path garbage = dir_ / "garbage.safetensors";
  std::ofstream(garbage, std::ios::binary) << std::string(8, '\x20') << "not json at all";
  expect_clean_error("eval --k 2 --weights " + garbage.string(), "header");

  std::string corrupt = bytes;
  corrupt[8] = '#';  // the header's opening brace
  const fs::path broken = dir_ / "broken.safetensors";
  std::ofstream(broken, std::ios::binary) << corrupt;
  expect_clean_error("eval --k 2 --weights " + broken.string(), "JSON");
}

TEST_F(Cli, unwritable_outputs_and_unknown_flags_are_clean_errors) {
  const std::string args = "construct --vocab 10 --width 8 --hashes 2 --out ";
  expect_clean_error(args + (dir_ / "missing" / "x.safetensors").string(), "cannot write");
  expect_clean_error(args + "/dev/full", "not a regular file");
  expect_clean_error(args + dir_.string(), "not a regular file");
  expect_clean_error(args + "x --frobnicate", "frobnicate");
  expect_clean_error("transmogrify", "transmogrify");
  // An existing good file survives a failed overwrite attempt.
  const fs::path good = dir_ / "good.safetensors";
  ASSERT_EQ(run(args + good.string()).exit_code, 0);
  const std::string before = read_file(good);
  expect_clean_error("construct --vocab 10 --width 8 --hashes 9 --out " + good.string(), "h <=");
  EXPECT_EQ(read_file(good), before);
}

// The training command: a run's file reloads and evaluates as train reported; bad
// hyperparameters and destinations are refused before any training.
TEST_F(Cli, train_writes_a_file_that_eval_reads_back_the_same) {
  const std::string net = (dir_ / "t.safetensors").string(), log = (dir_ / "t.csv").string();
  const CommandResult r =
      run("train --vocab 256 --k 3 --width 32 --steps 200 --batch 64 "
          "--eval-every 50 --eval-sets 256 --log " +
          log + " --out " + net);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto trained = nlohmann::json::parse(r.out);
  EXPECT_EQ(trained["train"]["steps"], 200);
  EXPECT_EQ(trained["train"]["config"]["lr"], 0.01);
  const CommandResult e = run("eval --weights " + net + " --k 3 --sets 256");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto evaluated = nlohmann::json::parse(e.out);
  for (const char* key : {"mse", "ce", "topk_exact", "false_positives_mean", "recall"}) {
    EXPECT_EQ(trained[key], evaluated[key]) << key;
  }
  EXPECT_EQ(evaluated["kind"], "trained");
  // A header and one row per evaluation: steps 50, 100, 150, 200.
  const std::string csv = read_file(log);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5) << csv;
  EXPECT_EQ(csv.rfind("step,loss,lr,train_loss,mse", 0), 0u) << csv;
}

// The training issue's science target (not timed): the reference configuration learns the task.
TEST_F(Cli, reference_training_run_reaches_the_science_targets) {
  const CommandResult r =
      run("train --vocab 1024 --k 4 --width 64 --loss ce --optimizer adam --lr 0.01 --batch 256 "
          "--steps 6000 --eval-every 0 --out " +
          (dir_ / "ref.safetensors").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["topk_exact"].get<double>(), 0.8);
  EXPECT_LE(j["mse"].get<double>(), 0.045);
}

TEST_F(Cli, bad_training_settings_are_clean_errors) {
  const fs::path out = dir_ / "x.safetensors";
  const std::string base = "train --vocab 64 --width 8 --out " + out.string() + " ";
  expect_clean_error(base + "--k 3 --lr 0", "learning rate");
  expect_clean_error(base + "--k 3 --lr -0.5", "learning rate");
  expect_clean_error(base + "--k 3 --batch 0", "batch 0");
  expect_clean_error(base + "--k 3 --steps 0", "steps 0");
  expect_clean_error(base + "--k 65", "k = 65");
  expect_clean_error(base + "--k 3 --k-max 2", "k_max = 2");
  expect_clean_error(base + "--k 3 --zipf -1", "Zipf");
  expect_clean_error(base + "--k 3 --loss l1", "--loss");
  expect_clean_error(base + "--k 3 --optimizer lion", "--optimizer");
  expect_clean_error(base + "--k 3 --eval-sets 0", "--eval-sets 0");
  expect_clean_error("train --vocab 2000000 --k 3 --width 1024 --out " + out.string(), "GiB");
  expect_clean_error("train --vocab 64 --k 3 --width 0 --out " + out.string(), "width 0");
  expect_clean_error(
      "train --vocab 64 --k 3 --width 8 --out " + (dir_ / "missing" / "x.safetensors").string(),
      "cannot write");
  EXPECT_FALSE(fs::exists(out));
  // A checkpoint of another configuration is refused, naming the difference.
  const std::string ckpt = (dir_ / "run.ckpt").string();
  ASSERT_EQ(run("train --vocab 64 --k 3 --width 8 --steps 4 --checkpoint-every 2 --checkpoint " +
                ckpt + " --out " + out.string())
                .exit_code,
            0);
  expect_clean_error(
      "train --vocab 64 --k 3 --width 9 --steps 4 --resume " + ckpt + " --out " + out.string(),
      "d = 8 there, 9 here");
  expect_clean_error("train --vocab 64 --k 3 --width 8 --steps 4 --resume " + out.string() +
                         " --out " + out.string(),
                     "not a training checkpoint");
  // The run's bookkeeping in the checkpoint's metadata, altered: numbers that are not numbers
  // or counts beyond the steps done are refused.
  for (const auto& [key, value] : {std::pair{"loss_count", "1e300"},
                                   {"loss_count", "2.5"},
                                   {"loss_count", "5"},
                                   {"loss_sum", "inf"},
                                   {"seconds", "-1"},
                                   {"seconds", "ten"}}) {
    const fs::path altered = dir_ / "altered.ckpt";
    std::ofstream(altered, std::ios::binary) << with_metadata(read_file(ckpt), key, value);
    expect_clean_error("train --vocab 64 --k 3 --width 8 --steps 4 --resume " + altered.string() +
                           " --out " + out.string(),
                       key);
  }
  const std::string bytes = read_file(ckpt);
  const fs::path truncated = dir_ / "truncated.ckpt";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() - 7);
  expect_clean_error("train --vocab 64 --k 3 --width 8 --steps 4 --resume " + truncated.string() +
                         " --out " + out.string(),
                     "truncated");
}

TEST_F(Cli, training_output_does_not_depend_on_threads) {
  const std::string args =
      "train --vocab 3000 --k 5 --k-max 7 --zipf 1.1 --width 48 --batch 64 "
      "--steps 60 --loss ce2mse --schedule cosine --eval-sets 300 --out ";
  const fs::path one = dir_ / "one.safetensors", two = dir_ / "two.safetensors";
  const CommandResult r1 = run(args + one.string() + " --threads 1");
  const CommandResult r2 = run(args + two.string() + " --threads 2");
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(read_file(one), read_file(two));
  auto metrics = [](const std::string& out) {
    auto j = nlohmann::json::parse(out);
    // The steps' phases, timed inside them, lie within the run's time.
    double phases = 0;
    for (const auto& [phase, seconds] : j["train"]["phase_seconds"].items()) {
      EXPECT_GT(seconds.get<double>(), 0) << phase;
      phases += seconds.get<double>();
    }
    EXPECT_EQ(j["train"]["phase_seconds"].size(), 6u);
    EXPECT_LE(phases, j["train"]["seconds"].get<double>());
    j.erase("weights");
    j["train"].erase("seconds");
    j["train"].erase("steps_per_second");
    j["train"].erase("phase_seconds");
    return j;
  };
  EXPECT_EQ(metrics(r1.out), metrics(r2.out));
}

TEST_F(Cli, diverging_training_names_the_step) {
  expect_clean_error("train --vocab 64 --k 3 --width 8 --steps 50 --lr 1e30 --out " +
                         (dir_ / "x.safetensors").string(),
                     "diverged at step");
}

// Interrupted (SIGINT or SIGTERM) and resumed, a run ends with the same bytes as one never stopped.
TEST_F(Cli, interrupted_training_resumes_to_the_uninterrupted_result) {
  const std::string args =
      "train --vocab 2048 --k 4 --width 64 --batch 128 --steps 2000 "
      "--eval-every 200 --eval-sets 256 --out ";
  const std::string whole = (dir_ / "whole.safetensors").string();
  ASSERT_EQ(run(args + whole).exit_code, 0);
  for (const int signal : {SIGINT, SIGTERM}) {
    const fs::path net = dir_ / ("stopped" + std::to_string(signal) + ".safetensors");
    const fs::path log = dir_ / ("stopped" + std::to_string(signal) + ".csv");
    const std::string command =
        std::string(BLOOMNET_CLI) + " " + args + net.string() + " --log " + log.string();
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      freopen("/dev/null", "w", stderr);
      execl("/bin/sh", "sh", "-c", ("exec " + command + " >/dev/null").c_str(), nullptr);
      _exit(127);
    }
    // The signal goes once the log has its first row (step 200 of 2000: the handler is installed
    // and most of the run is left), not after a fixed time, which a faster step outruns.
    for (int waited = 0; !fs::exists(log) && waited < 60'000; ++waited) usleep(1000);
    kill(child, signal);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 128 + signal) << "the run ended before the signal?";
    ASSERT_TRUE(fs::exists(net.string() + ".ckpt"));
    EXPECT_FALSE(fs::exists(net));
    const CommandResult resumed = run(args + net.string() + " --resume " + net.string() + ".ckpt");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(read_file(net), read_file(whole));
  }
}

// Reading, compiling and sweeping: on an exact construction every reading has its known answer;
// shards of a sweep merge into the unsharded CSV; an interrupted sweep completes; the report
// runs end to end, its renderer included.
TEST_F(Cli, compare_and_compile_read_an_exact_net_as_its_filter) {
  const std::string net = (dir_ / "exact.safetensors").string();
  ASSERT_EQ(run("construct --vocab 600 --width 64 --hashes 6 --out " + net).exit_code, 0);
  const fs::path out = dir_ / "reading";
  const CommandResult r =
      run("compare --weights " + net + " --k 4 --sets 300 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["snap_fraction"].get<double>(), 1.0);
  EXPECT_EQ(j["form"], "complement");
  EXPECT_EQ(j["hash_count_mean"].get<double>(), 6.0);
  EXPECT_EQ(j["union_accuracy"].get<double>(), 1.0);
  EXPECT_EQ(j["agreement_exact_match"].get<double>(), 1.0);
  EXPECT_EQ(j["agreement_jaccard"].get<double>(), 1.0);
  for (const char* key : {"modes", "hash_count_optimum", "false_positives_mean", "fpr_theory"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* file :
       {"COMPARE.md", "compare.json", "w_in_histogram.csv", "w_in_head.csv", "hash_counts.csv"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  // The renderer draws a compare directory's figures on its own (no display needed).
  const std::string render = std::string(BLOOMNET_PYTHON) + " " + BLOOMNET_RENDER_SCRIPT + " " +
                             out.string() + " 2>" + (dir_ / "render.err").string();
  ASSERT_EQ(std::system(render.c_str()), 0) << read_file(dir_ / "render.err");
  for (const char* figure : {"w_in_heatmap.png", "w_in_histogram.png", "hash_counts.png"}) {
    EXPECT_GT(fs::file_size(out / figure), 1000u) << figure;
  }
  const std::string filter = (dir_ / "exact.filter").string();
  const CommandResult c = run("compile --weights " + net + " --k 4 --sets 300 --out " + filter);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto compiled = nlohmann::json::parse(c.out);
  EXPECT_EQ(compiled["agreement_exact_match"].get<double>(), 1.0);
  EXPECT_EQ(compiled["m"].get<size_t>(), 64u);
  EXPECT_GT(compiled["speedup"].get<double>(), 0.0);
  EXPECT_TRUE(fs::exists(filter));
  expect_clean_error("compare --weights " + net + " --k 601", "k = 601");
  expect_clean_error("compile --weights " + net + " --k 4 --out /dev/full", "not a regular file");
  expect_clean_error("compare --weights " + net + " --k 4 --out /dev/full", "/dev/full");
}

TEST_F(Cli, sweep_shards_merge_into_the_unsharded_csv_and_an_interrupted_sweep_completes) {
  const std::string args =
      "sweep --vocab 48 --k 2 --widths 8,4 --methods trained,linear,exact,jl,theory --seeds 2 "
      "--steps 12 --batch 16 --eval-sets 32 --tuning-sets 16 --out ";
  const fs::path whole = dir_ / "whole.csv";
  const CommandResult r = run(args + whole.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rows"].get<size_t>(), 18u);
  EXPECT_TRUE(j["fits"].is_array());
  std::string shards;
  for (int i = 1; i <= 3; ++i) {
    const fs::path part = dir_ / ("part" + std::to_string(i) + ".csv");
    ASSERT_EQ(run(args + part.string() + " --shard " + std::to_string(i) + "/3").exit_code, 0);
    shards += " " + part.string();
  }
  const fs::path merged = dir_ / "merged.csv";
  const CommandResult f = run("fit" + shards + " --merged " + merged.string());
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(read_file(merged), read_file(whole));
  EXPECT_EQ(nlohmann::json::parse(f.out)["fits"], j["fits"]);
  // And a line per fitted method for a reader, with its law.
  EXPECT_EQ(static_cast<size_t>(std::count(f.err.begin(), f.err.end(), '\n')), j["fits"].size());
  for (const auto& fit : j["fits"]) {
    EXPECT_NE(f.err.find(fit["method"].get<std::string>() + ": " + fit["law"].get<std::string>()),
              std::string::npos)
        << f.err;
  }

  // A sweep stopped after a few rows keeps them; the same command computes only the rest.
  const std::string text = read_file(whole);
  size_t cut = 0;
  for (int line = 0; line < 4; ++line) cut = text.find('\n', cut) + 1;
  const fs::path partial = dir_ / "partial.csv";
  std::ofstream(partial) << text.substr(0, cut);
  const CommandResult resumed = run(args + partial.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // A line per point computed, then a line per fit.
  EXPECT_EQ(static_cast<size_t>(std::count(resumed.err.begin(), resumed.err.end(), '\n')),
            15 + j["fits"].size())
      << resumed.err;
  EXPECT_EQ(read_file(partial), text);

  std::string other_steps = args + whole.string();
  other_steps.replace(other_steps.find("--steps 12"), 10, "--steps 13");
  expect_clean_error(other_steps, "another sweep");
  expect_clean_error(args + (dir_ / "x.csv").string() + " --shard 4/3", "--shard");
  expect_clean_error(args + (dir_ / "x.csv").string() + " --methods trained,magic", "magic");
  expect_clean_error("sweep --vocab 8 --k 8 --widths 4 --out " + (dir_ / "x.csv").string(),
                     "k = 8");
  expect_clean_error("fit " + (dir_ / "none.csv").string(), "cannot read");
}

// The study end to end on a tiny grid, and the same study run as two shards (two machines) and
// then completed: the completing run computes no point again, and every sweep's file equals the
// unsharded run's. Widths 48 and 64 are below the ceiling for the exact construction, so its two
// widths give a fit and the scaling figure has a point.
TEST_F(Cli, report_runs_end_to_end_renders_and_shards) {
  const std::string args = "report --quick --steps 300 --sweep-steps 60 --widths 48,64 --sets 128 ";
  const fs::path out = dir_ / "report";
  const CommandResult r = run(args + "--out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"REPORT.md",
                           "report.json",
                           "width.csv",
                           "wide_jl.csv",
                           "k2.csv",
                           "zipf.csv",
                           "fpr_curve.csv",
                           "frontier.csv",
                           "train_log.csv",
                           "training.png",
                           "eps_vs_width.png",
                           "scaling.png",
                           "budget.png",
                           "readings.png",
                           "variants.png",
                           "frontier.png",
                           "fpr_vs_theory.png",
                           "compare/w_in_heatmap.png",
                           "compare/w_in_histogram.png",
                           "compare/hash_counts.png",
                           "compare_exact/COMPARE.md",
                           "reference.safetensors",
                           "compiled.safetensors"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  const std::string report = read_file(out / "REPORT.md");
  EXPECT_NE(report.find("## The claims"), std::string::npos);
  EXPECT_NE(report.find("The exact construction's hashes were recovered exactly: yes"),
            std::string::npos);
  // Progress on stderr, a stage at a time, and a line per sweep point.
  EXPECT_NE(r.err.find("== report 7/7"), std::string::npos);
  EXPECT_NE(r.err.find("sweep "), std::string::npos);

  const fs::path sharded = dir_ / "sharded";
  for (const char* shard : {"1/2", "2/2"}) {
    const CommandResult part = run(args + "--shard " + shard + " --out " + sharded.string());
    ASSERT_EQ(part.exit_code, 0) << part.err;
  }
  EXPECT_TRUE(fs::exists(sharded / "width.shard-1-of-2.csv"));
  const CommandResult merged = run(args + "--out " + sharded.string());
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  // A point computed prints "sweep I/N ..."; the stages say "sweeps".
  EXPECT_EQ(merged.err.find("sweep "), std::string::npos) << "a point ran again:\n" << merged.err;
  for (const char* file : {"width.csv", "wide_jl.csv", "k2.csv", "budget_30.csv", "zipf.csv"}) {
    EXPECT_EQ(read_file(sharded / file), read_file(out / file)) << file;
  }
}

// Reliability: every writer on a full disk or in a read-only directory fails with one line and
// exit code 2, leaving the previous file at its destination intact; impossible sizes are refused
// with the memory they would need, before anything is allocated.
TEST_F(Cli, writers_on_a_full_or_read_only_disk_fail_cleanly_and_keep_the_old_file) {
  bloomnet::scratch::TinyTmpfs disk(dir_, "disk");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (not root)";
  const fs::path net = dir_ / "net.safetensors";
  ASSERT_EQ(run("construct --vocab 40 --width 16 --hashes 2 --out " + net.string()).exit_code, 0);
  // Good previous files in the tmpfs, then a filler that leaves no room.
  const std::string sweep_args =
      "sweep --vocab 16 --k 2 --widths 4,8 --methods exact,theory --eval-sets 8 --out ";
  const fs::path csv = disk.path() / "sweep.csv";
  ASSERT_EQ(run(sweep_args + (dir_ / "whole.csv").string()).exit_code, 0);
  const std::string whole = read_file(dir_ / "whole.csv");
  std::ofstream(csv) << whole.substr(0, whole.find('\n', whole.find('\n') + 1) + 1);
  const fs::path weights = disk.path() / "w.safetensors";
  std::ofstream(weights) << read_file(net);
  const std::string train_args = "train --vocab 64 --k 2 --width 8 --steps 4 --eval-sets 8 ";
  const fs::path checkpoint = disk.path() / "run.ckpt";
  ASSERT_EQ(run(train_args + "--checkpoint-every 2 --checkpoint " + checkpoint.string() +
                " --out " + (dir_ / "t.safetensors").string())
                .exit_code,
            0);
  {
    std::ofstream filler(disk.path() / "filler", std::ios::binary);
    const std::string block(1024, 'x');
    for (int i = 0; i < 64 && filler.write(block.data(), block.size()); ++i) {
    }
  }
  const std::string old_csv = read_file(csv), old_weights = read_file(weights),
                    old_checkpoint = read_file(checkpoint);
  auto check_all = [&](const std::string& why) {
    expect_clean_error("construct --vocab 400 --width 64 --hashes 3 --out " + weights.string(),
                       weights.string());
    expect_clean_error(train_args + "--out " + weights.string(), weights.string());
    expect_clean_error(train_args + "--checkpoint-every 2 --checkpoint " + checkpoint.string() +
                           " --out " + (dir_ / "t.safetensors").string(),
                       checkpoint.string());
    expect_clean_error(
        "compile --weights " + net.string() + " --k 2 --sets 8 --out " + weights.string(),
        weights.string());
    expect_clean_error(sweep_args + csv.string(), csv.string());
    // The report prints its stages on stderr first; its last line is the error.
    const CommandResult report =
        run("report --quick --steps 10 --sweep-steps 5 --widths 4,8 --sets 8 "
            "--out " +
            (disk.path() / "report").string());
    EXPECT_EQ(report.exit_code, 2) << why;
    const size_t last = report.err.rfind('\n', report.err.size() - 2);
    EXPECT_EQ(report.err.compare(last + 1, 17, "bloomnet: error: "), 0) << report.err;
    EXPECT_EQ(read_file(csv), old_csv) << why;
    EXPECT_EQ(read_file(weights), old_weights) << why;
    EXPECT_EQ(read_file(checkpoint), old_checkpoint) << why;
  };
  check_all("full disk");
  ASSERT_TRUE(disk.make_read_only());
  check_all("read-only directory");
}

TEST_F(Cli, impossible_sizes_are_refused_with_the_memory_they_need) {
  const std::string out = (dir_ / "x").string();
  expect_clean_error("construct --vocab 10000000000 --width 64 --hashes 2 --out " + out, "GiB");
  expect_clean_error("train --vocab 10000000000 --k 4 --width 64 --out " + out, "GiB");
  expect_clean_error("train --vocab 1000000000000000000 --k 4 --width 1000000000000 --out " + out,
                     "GiB");
  expect_clean_error("sweep --vocab 10000000000 --k 4 --widths 64 --methods exact --out " + out,
                     "GiB");
  // A weights header declaring a huge tensor over a few bytes of data.
  const fs::path huge = dir_ / "huge.safetensors";
  const std::string header =
      R"({"W_in":{"dtype":"F32","shape":[4000000000,4000000000],"data_offsets":[0,16]}})";
  std::string bytes(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  std::ofstream(huge, std::ios::binary) << bytes << header << std::string(16, '\0');
  expect_clean_error("eval --k 2 --weights " + huge.string(), "W_in");
  // A header length past the format's 100 MB bound is refused before it is read.
  std::string oversized(8, '\0');
  const uint64_t too_long = uint64_t{1} << 40;
  std::memcpy(oversized.data(), &too_long, 8);
  std::ofstream(dir_ / "oversized.safetensors", std::ios::binary) << oversized;
  expect_clean_error("eval --k 2 --weights " + (dir_ / "oversized.safetensors").string(), "limit");
}

// Starts `bloomnet ARGS` in a child process (stdout and stderr discarded) and returns its pid.
pid_t spawn(const std::string& args) {
  const std::string command = std::string(BLOOMNET_CLI) + " " + args + " >/dev/null 2>&1";
  const pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
    _exit(127);
  }
  return child;
}

// SIGKILL at a random moment of a save leaves the destination either the old complete file or
// the new complete one, never a mixture or a prefix: 30 kill times spread uniformly over the
// whole run of the command (start-up, construction, writing, sync, rename). The temporary file a
// kill leaves behind is removed by the next save to that destination.
TEST_F(Cli, a_save_killed_at_any_moment_leaves_the_old_or_the_new_file) {
  const std::string args = "construct --vocab 20000 --width 256 --hashes 6 --out ";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(run(args + (dir_ / "new").string() + " --seed 1").exit_code, 0);
  const auto full_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  ASSERT_EQ(run(args + (dir_ / "old").string()).exit_code, 0);
  const std::string old_bytes = read_file(dir_ / "old"), new_bytes = read_file(dir_ / "new");
  ASSERT_NE(old_bytes, new_bytes);
  const fs::path dest = dir_ / "dest.safetensors";
  std::mt19937_64 random(7);
  size_t old_seen = 0, new_seen = 0, temporaries_seen = 0;
  for (int trial = 0; trial < 30; ++trial) {
    std::ofstream(dest, std::ios::binary) << old_bytes;
    const pid_t child = spawn(args + dest.string() + " --seed 1");
    usleep(static_cast<useconds_t>(random() % static_cast<uint64_t>(full_us + 1)));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    const std::string now = read_file(dest);
    ASSERT_TRUE(now == old_bytes || now == new_bytes) << "a partial file after a kill";
    old_seen += now == old_bytes;
    new_seen += now == new_bytes;
    // Each save removes the temporaries of the saves killed before it: at most this one's is left.
    const size_t left = temporaries_of(dest);
    ASSERT_LE(left, 1u) << "abandoned temporaries pile up";
    temporaries_seen += left;
  }
  std::printf(
      "kills: old file kept %zu times, new file complete %zu times, temporary left %zu times\n",
      old_seen, new_seen, temporaries_seen);
  ASSERT_EQ(run(args + dest.string()).exit_code, 0);
  EXPECT_EQ(temporaries_of(dest), 0u);
}

// SIGINT or SIGTERM stop a sweep between or inside points: the finished rows stay, whole, and
// the same command completes the file to exactly the uninterrupted result.
TEST_F(Cli, an_interrupted_sweep_keeps_its_rows_and_completes) {
  const std::string args =
      "sweep --vocab 256 --k 2 --widths 8,16,24,32 --methods trained,exact,theory --steps 3000 "
      "--batch 64 --eval-sets 64 --out ";
  const fs::path whole = dir_ / "whole.csv";
  ASSERT_EQ(run(args + whole.string()).exit_code, 0);
  for (const int signal : {SIGINT, SIGTERM}) {
    const fs::path stopped = dir_ / ("stopped" + std::to_string(signal) + ".csv");
    const pid_t child = spawn(args + stopped.string());
    // Stopped once the first row is on disk: the trained points still ahead take much longer.
    for (int waited = 0; !fs::exists(stopped) && waited < 60000; ++waited) usleep(1000);
    kill(child, signal);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "finished before the signal";
    // Whatever was written is whole rows of the uninterrupted file.
    const std::string partial = read_file(stopped);
    EXPECT_EQ(read_file(whole).rfind(partial.substr(0, partial.find('\n')), 0), 0u);
    for (size_t at = 0, end; (end = partial.find('\n', at)) != std::string::npos; at = end + 1) {
      EXPECT_NE(read_file(whole).find(partial.substr(at, end - at + 1)), std::string::npos);
    }
    const CommandResult resumed = run(args + stopped.string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(read_file(stopped), read_file(whole));
  }
}

}  // namespace
