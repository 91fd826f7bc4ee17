// The subcommands of the `bloomnet` program. Each adds itself to the app; its callback parses
// nothing by hand, calls the library, and prints one JSON object on stdout. Errors are thrown as
// bloomnet::Error and become one line on stderr with exit code 2 (main.cpp).
#pragma once

#include <CLI/CLI.hpp>

namespace bloomnet::cli {

void add_construct_command(CLI::App& app);
void add_eval_command(CLI::App& app);

// Sets the OpenMP thread count when the user gave one (0 keeps the runtime's default).
void use_threads(size_t threads);

}  // namespace bloomnet::cli
