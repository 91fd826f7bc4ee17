// The subcommands of the `bloomnet` program. Each adds itself to the app; its callback parses
// nothing by hand, calls the library, and prints one JSON object on stdout. Errors are thrown as
// bloomnet::Error and become one line on stderr with exit code 2 (main.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bloomnet/network.hpp"
#include "bloomnet/width_sweep.hpp"

namespace bloomnet::cli {

void add_compare_command(CLI::App& app);
void add_compile_command(CLI::App& app);
void add_construct_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_fit_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_train_command(CLI::App& app);

// Thrown to end the program with `code` after printing `message` on stderr (an interrupted run).
struct ExitRequest {
  int code;
  std::string message;
};

// Adds an option holding a count or a seed. CLI11 2.1 would read "-2" into an unsigned variable
// as 2^64 - 2; the check refuses negative numbers before that happens.
template <class T>
CLI::Option* add_unsigned(CLI::App* cmd, const std::string& name, T& value,
                          const std::string& description) {
  static const CLI::Validator non_negative(
      [](const std::string& text) {
        return text.find('-') == std::string::npos ? std::string() : "'" + text + "' is negative";
      },
      "NON-NEGATIVE");
  return cmd->add_option(name, value, description)->check(non_negative);
}

// Sets the OpenMP thread count when the user gave one (0 keeps the runtime's default).
void use_threads(size_t threads);
// The OpenMP threads parallel regions will use.
int omp_threads();

// Extracts a network's hashes, compiles them (saved to `out` unless empty) and measures, on
// `sets` held-out sets of size k, agreement with the network's P(S) and the time of a
// whole-vocabulary query both ways. Shared by compile and report.
nlohmann::json compile_network(const Network& net, size_t k, size_t sets, uint64_t seed,
                               const std::string& out);

// Runs the points of a sweep shard not yet in `out`, rewriting it after each; returns all of the
// shard's rows. Shared by sweep and report.
std::vector<SweepRow> run_sweep(const SweepConfig& config, const Shard& shard,
                                const std::string& out);

// Creates the directory (and its parents) and checks that files can be written in it; Error
// naming the directory and the reason otherwise.
std::filesystem::path prepare_output_dir(const std::string& dir);

}  // namespace bloomnet::cli
