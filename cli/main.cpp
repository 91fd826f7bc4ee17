// bloomnet: the command line over the library, one subcommand per file (commands.hpp).
#include <omp.h>

#include <iostream>

#include "bloomnet/error.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace bloomnet::cli {

void use_threads(size_t threads) {
  if (threads > 0) omp_set_num_threads(static_cast<int>(threads));
}

}  // namespace bloomnet::cli

namespace {

int run(int argc, char** argv) {
  CLI::App app{"bloomnet: neural networks that are Bloom filters, built, trained and compared"};
  app.require_subcommand(1);
  bloomnet::cli::add_compare_command(app);
  bloomnet::cli::add_compile_command(app);
  bloomnet::cli::add_construct_command(app);
  bloomnet::cli::add_eval_command(app);
  bloomnet::cli::add_fit_command(app);
  bloomnet::cli::add_report_command(app);
  bloomnet::cli::add_sweep_command(app);
  bloomnet::cli::add_train_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports an unknown command only as a missing one; name it.
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::string commands;
      for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
        if (!commands.empty()) commands += ", ";
        commands += command->get_name();
      }
      std::cerr << "bloomnet: error: unknown command '" << argv[1] << "' (commands: " << commands
                << "; see bloomnet --help)\n";
    } else {
      std::cerr << "bloomnet: error: " << e.what() << " (see bloomnet --help)\n";
    }
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const bloomnet::cli::ExitRequest& e) {
    std::cerr << "bloomnet: " << e.message << "\n";
    return e.code;
  } catch (const bloomnet::Error& e) {
    std::cerr << "bloomnet: error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "bloomnet: error: out of memory\n";
    return 2;
  } catch (const std::exception& e) {
    // Not a bloomnet::Error: a failure the library did not foresee, still one line and exit 2.
    std::cerr << "bloomnet: error: " << e.what() << "\n";
    return 2;
  } catch (...) {
    std::cerr << "bloomnet: error: unknown failure\n";
    return 2;
  }
}
