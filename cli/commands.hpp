// The subcommands of the `bloomnet` program, one per file. Each adds itself to the app; its
// callback parses nothing by hand (options.hpp), calls the library once, and prints one JSON
// object on stdout. Errors are thrown as bloomnet::Error and become one line on stderr with exit
// code 2 (main.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

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

}  // namespace bloomnet::cli
