// bloomnet report: the headline suite (report.hpp) into one directory, drawn by the renderer
// installed beside this program (renderer.hpp), with progress on stderr.
#include <chrono>
#include <iostream>
#include <memory>

#include "bloomnet/report.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "renderer.hpp"

namespace bloomnet::cli {

void add_report_command(CLI::App& app) {
  struct Options {
    ReportConfig report;
    size_t threads = 0;
    std::string render;
  };
  auto options = std::make_shared<Options>();
  ReportConfig& r = options->report;
  CLI::App* cmd = app.add_subcommand("report", "Run the headline experiments and write REPORT.md");
  cmd->add_option("--out", r.out, "Report directory")->capture_default_str();
  cmd->add_flag("--quick", r.quick, "A smaller run of every stage (a few minutes)");
  add_count(cmd, "--steps", r.steps, "Reference training steps (20000; quick 4000)");
  add_count(cmd, "--sweep-steps", r.sweep_steps, "Training steps per width (20000; quick 3000)");
  add_counts(cmd, "--widths", r.widths, "Sweep widths (16,32,48,64,80,96,128; quick 16,32,48,64)");
  add_choices(cmd, "--methods", r.methods, "Sweep methods");
  add_count(cmd, "--sets", r.sets, "Held-out sets everywhere (4096; quick 1024)");
  add_count(cmd, "--threads", options->threads, "OpenMP threads (0: all cores)");
  cmd->add_option("--render", options->render,
                  "The figure and markdown renderer (default: share/bloomnet/render.py beside "
                  "this program's directory)");
  cmd->callback([options] {
    use_threads(options->threads);
    const auto start = std::chrono::steady_clock::now();
    // Found before hours of work, not after.
    const std::filesystem::path renderer =
        options->render.empty() ? installed_renderer() : std::filesystem::path(options->render);
    require(std::filesystem::is_regular_file(renderer),
            "the report's renderer '" + renderer.string() + "' does not exist (--render)");
    StderrObserver observer;
    run_report(options->report, observer);
    render_report(options->report.out, renderer, python_interpreter(), observer);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::filesystem::path markdown = options->report.out / "REPORT.md";
    observer.note("report: " + markdown.string() + " in " + std::to_string(std::lround(seconds)) +
                  " s");
    std::cout << nlohmann::json({{"report", markdown.string()}, {"seconds", seconds}}).dump(2)
              << std::endl;
  });
}

}  // namespace bloomnet::cli
